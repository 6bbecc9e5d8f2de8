// Every problem with a user's data file surfaces as a DataError: one line that names
// the file and says what is wrong, so the CLI can print `error: <path>: <what>` and
// exit 1 without a stack trace.

export class DataError extends Error {
  constructor(
    readonly path: string,
    readonly what: string,
  ) {
    super(`${path}: ${what}`);
    this.name = "DataError";
  }
}

/** Turn a Node fs error (ENOENT, EACCES, ...) into a DataError naming the path. */
export function fsError(path: string, error: unknown): DataError {
  if (error instanceof DataError) return error;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case "ENOENT":
      return new DataError(path, "no such file or directory");
    case "EACCES":
    case "EPERM":
      return new DataError(path, "permission denied");
    case "EISDIR":
      return new DataError(path, "is a directory, expected a file");
    case "ENOTDIR":
      return new DataError(path, "not a directory");
    default: {
      const message = error instanceof Error ? error.message : String(error);
      return new DataError(path, message.split("\n")[0] ?? message);
    }
  }
}
