// A small RFC 4180 reader that remembers the line each record starts on, so import problems name their line.

export interface CsvRecord {
  /** 1-based line of the file where the record starts. */
  line: number;
  fields: string[];
}

export interface CsvProblem {
  line: number;
  message: string;
}

/**
 * Splits CSV text into records. Quoted fields may hold commas, quotes ("") and line breaks. A malformed record is
 * reported and skipped, so one bad line does not hide the problems of the next ones; blank lines are skipped.
 */
export function readCsv(text: string): { records: CsvRecord[]; problems: CsvProblem[] } {
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;

  let line = 1;
  let recordLine = 1;
  let fields: string[] = [];
  let field = '';
  let quoted = false; // inside a quoted field
  let wasQuoted = false; // the current field was quoted (and closed)
  let broken: string | null = null; // the current record is malformed: skip to its end

  const endRecord = () => {
    fields.push(field);
    if (broken) problems.push({ line: recordLine, message: broken });
    else if (!(fields.length === 1 && fields[0] === '' && !wasQuoted)) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    wasQuoted = false;
    broken = null;
  };

  for (let i = 0; i < input.length; i++) {
    const ch = input[i]!;
    if (quoted) {
      if (ch === '"') {
        if (input[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
          wasQuoted = true;
        }
      } else {
        if (ch === '\n' || (ch === '\r' && input[i + 1] !== '\n')) line++;
        field += ch;
      }
      continue;
    }
    if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && input[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
      continue;
    }
    if (broken) continue;
    if (ch === ',') {
      fields.push(field);
      field = '';
      wasQuoted = false;
    } else if (ch === '"') {
      if (field === '' && !wasQuoted) quoted = true;
      else broken = wasQuoted ? 'unexpected character after a closing quote' : 'a quote inside an unquoted field (quote the whole field and double the quote)';
    } else if (wasQuoted) {
      broken = 'unexpected character after a closing quote';
    } else {
      field += ch;
    }
  }
  if (quoted) problems.push({ line: recordLine, message: 'a quoted field is not closed before the end of the file' });
  else if (field !== '' || fields.length > 0 || wasQuoted || broken) endRecord();
  return { records, problems };
}
