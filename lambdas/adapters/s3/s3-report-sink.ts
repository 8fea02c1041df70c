import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ReportSink } from '../../ports/report-sink';

/** Reports as objects in the reports bucket; its versioning keeps what earlier runs wrote. */
export class S3ReportSink implements ReportSink {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, body: string, contentType: string): Promise<string> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
    );
    return `s3://${this.bucket}/${key}`;
  }
}
