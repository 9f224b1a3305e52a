// The body bytes a response puts on the wire, for the access log's `bytesSent` (nginx's
// $body_bytes_sent): the head is not counted, and an answer that has no body whatever was written
// counts nothing — HEAD, 1xx, 204 and 304 (RFC 9110 §6.4.1, §9.3.2), whose body node drops.
export function bodyBytesSent(method: string | undefined, status: number, length: number): number {
  return method === 'HEAD' || status < 200 || status === 204 || status === 304 ? 0 : length
}

/** Bytes of a body given as text (UTF-8) or bytes; 0 for none. */
export function byteLengthOf(body: string | Buffer | undefined): number {
  return body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.length
}
