/**
 * Commands the loadtester runs (`bash -c` for conformance tests, `sh -c` for load tests): every
 * argument is quoted for a POSIX shell, whatever the schema let through, so no value can end an
 * argument or start a command.
 *
 * Written here rather than taken from shell-quote: that library backslash-escapes `:` and other
 * harmless characters (`http\://host\:9898/`), which makes the commands providers read in the
 * rendered YAML hard to read. This is the rule of Python's shlex.quote: a word of safe characters
 * stays as it is; anything else is wrapped in single quotes, inside which only `'` needs care.
 */
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

export const shellQuote = (word: string): string => (SAFE.test(word) ? word : `'${word.replace(/'/g, `'"'"'`)}'`);

/** One command line: each argument quoted on its own. */
export const command = (...args: readonly string[]): string => args.map(shellQuote).join(' ');
