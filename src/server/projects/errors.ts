// Failures of project administration that an admin can fix; the admin commands turn them into one-line messages.

/** Values that break the rules of SPEC 3 (number, name, ids, ball-in-court list). */
export class ProjectInputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'ProjectInputError';
  }
}

export class ProjectExistsError extends Error {
  constructor(readonly number: string) {
    super(`project ${number} already exists (numbers are unique, ignoring case)`);
    this.name = 'ProjectExistsError';
  }
}

export class ProjectNotFoundError extends Error {
  constructor(readonly number: string) {
    super(`there is no project ${number}`);
    this.name = 'ProjectNotFoundError';
  }
}

/** One problem of an import file: `line` is the CSV line, or the JSON array index (0 for the file as a whole). */
export interface ImportProblem {
  line: number;
  message: string;
}

/** An import refused as a whole: every problem found, nothing imported. */
export class ImportError extends Error {
  constructor(
    readonly fileName: string,
    readonly format: 'csv' | 'json',
    readonly problems: ImportProblem[],
  ) {
    super(`${fileName}: ${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}; nothing was imported`);
    this.name = 'ImportError';
  }

  /** `file.csv:4: message` for CSV lines, `file.json [3]: message` for JSON items. */
  describe(problem: ImportProblem): string {
    if (problem.line === 0 && this.format === 'json') return `${this.fileName}: ${problem.message}`;
    return this.format === 'csv' ? `${this.fileName}:${problem.line}: ${problem.message}` : `${this.fileName} [${problem.line}]: ${problem.message}`;
  }
}
