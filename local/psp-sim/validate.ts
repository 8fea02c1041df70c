import { TossError } from './errors';

type Fields = Record<string, unknown>;

/** Toss's rule for orderId: 6–64 characters of letters, digits, '-' and '_'. */
const ORDER_ID = /^[A-Za-z0-9_-]{6,64}$/;

const invalid = (message: string) => new TossError('INVALID_REQUEST', message);

export function requireObject(body: unknown): Fields {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('The body must be a JSON object.');
  }
  return body as Fields;
}

export function requireString(fields: Fields, name: string): string {
  const value = fields[name];
  if (typeof value !== 'string' || value.length === 0 || value.length > 200) {
    throw invalid(`${name} must be a string of 1-200 characters.`);
  }
  return value;
}

export function optionalString(fields: Fields, name: string): string | undefined {
  return fields[name] === undefined || fields[name] === null ? undefined : requireString(fields, name);
}

export function requireOrderId(fields: Fields): string {
  const value = fields.orderId;
  if (typeof value !== 'string' || !ORDER_ID.test(value)) {
    throw invalid('orderId must be 6-64 characters of letters, digits, - and _.');
  }
  return value;
}

export function requireAmount(fields: Fields, name: string): number {
  const value = fields[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw invalid(`${name} must be a positive integer.`);
  }
  return value;
}

export function optionalAmount(fields: Fields, name: string): number | undefined {
  return fields[name] === undefined || fields[name] === null ? undefined : requireAmount(fields, name);
}
