// The one error type of the FITS module: malformed, truncated or unsupported FITS content.

/** Thrown for corrupted, truncated or unsupported FITS files and for values FITS cannot hold. */
export class FitsError extends Error {
  override name = 'FitsError';
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(file ? `${file}: ${message}` : message);
  }
}
