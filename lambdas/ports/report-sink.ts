/** Where run reports go: an S3 bucket in AWS, a folder on the laptop. */
export interface ReportSink {
  /**
   * Stores `body` under `key` (a relative path such as `reconciliation/2024-03-01/report.json`),
   * replacing what was there; returns where it went, for people to find it.
   */
  put(key: string, body: string, contentType: string): Promise<string>;
}
