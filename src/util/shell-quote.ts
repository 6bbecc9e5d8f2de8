// Every command printed for the user to paste (resume hints, the stand-in generator and
// data fetch commands, an emitted program's) is quoted here, for a POSIX shell:
// an argument of plain characters stays as it is, anything else goes in single quotes
// (a single quote inside becomes '\''), so `$(...)`, spaces and quotes are inert.

const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function shellQuote(arg: string): string {
  if (arg !== "" && PLAIN.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A whole command line from its words, each quoted as needed. */
export function shellCommand(words: readonly string[]): string {
  return words.map(shellQuote).join(" ");
}
