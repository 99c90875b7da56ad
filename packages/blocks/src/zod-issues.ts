/** zod issues → our field-level issues: one per unknown key, each with its full dot path. */
import type { z } from 'zod';

export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

const dotPath = (path: readonly PropertyKey[]): string => path.map(String).join('.');

export function fieldProblems(error: z.ZodError, prefix: readonly string[] = []): FieldProblem[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: dotPath([...prefix, ...issue.path, key]), message: 'unknown field' }))
      : [{ path: dotPath([...prefix, ...issue.path]), message: issue.message }],
  );
}
