import { SparkctlError } from '../errors.js';

/** A secret file is not a readable regular file of bounded size: a human must fix the manifest or the file. */
export class SecretFileError extends SparkctlError {
  override readonly code = 'SPARKCTL_SECRET_FILE';
  override readonly errorClass = 'terminal';
  override readonly reason = 'SecretUnavailable';
}

/** The keyed-hash key file in the state dir cannot be created or read: the controller cannot hash secrets safely. */
export class HashKeyError extends SparkctlError {
  override readonly code = 'SPARKCTL_HASH_KEY';
  override readonly errorClass = 'terminal';
  override readonly reason = 'HashKeyUnavailable';
}
