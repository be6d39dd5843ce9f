import type { InputCensus } from './model.ts';

/** Distinct messages kept; the rest are counted under one entry (messages made with Sprintf are many). */
const MESSAGES_KEPT = 500;
const OTHER = '(other messages)';

/**
 * Counts the levels and messages of the log records, so that input with no scheduling lines at
 * all can be told what it held. It runs only until the first scheduling line, and reads the level
 * and message where they sit in the line, without decoding its JSON.
 */
export class Census {
  records = 0;
  private readonly levels = new Map<string, number>();
  private readonly messages = new Map<string, number>();

  /** A zap JSON line: `"level":"…"` and `"msg":"…"` near its start. */
  json(text: string): void {
    this.records++;
    this.count(this.levels, jsonString(text, '"level":"') ?? '(none)');
    this.countMessage(jsonString(text, '"msg":"') ?? '(none)');
  }

  /** A zap console line: `time\tLEVEL\t[logger\t]caller\tmsg[\t{json}]`. */
  console(text: string): void {
    this.records++;
    const fields: string[] = [];
    const end = text.length;
    let at = 0;
    // Five fields are enough: time, level, logger or caller, caller or message, message or JSON.
    while (fields.length < 5 && at <= end) {
      let tab = text.indexOf('\t', at);
      if (tab === -1 || tab > end) tab = end;
      fields.push(text.slice(at, tab));
      at = tab + 1;
    }
    this.count(this.levels, fields[1] ?? '(none)');
    const callerAt = fields.findIndex((f, i) => i >= 2 && /\.go:\d+$/.test(f));
    const msg = fields[callerAt === -1 ? 2 : callerAt + 1];
    this.countMessage(msg === undefined || msg.startsWith('{') ? '(none)' : msg);
  }

  /** A record already decoded. */
  record(level: string | undefined, msg: string): void {
    this.records++;
    this.count(this.levels, level ?? '(none)');
    this.countMessage(msg);
  }

  result(requestsReceived: number, top = 8): InputCensus {
    return {
      records: this.records,
      levels: Object.fromEntries([...this.levels].sort((a, b) => b[1] - a[1])),
      messages: [...this.messages].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, top),
      requestsReceived,
    };
  }

  private countMessage(msg: string): void {
    const key = msg.length > 120 ? `${msg.slice(0, 117)}...` : msg;
    this.count(this.messages, this.messages.has(key) || this.messages.size < MESSAGES_KEPT ? key : OTHER);
  }

  private count(map: Map<string, number>, key: string): void {
    map.set(key, (map.get(key) ?? 0) + 1);
  }
}

/** The string value after `prefix` in a JSON line, escapes left as they are (enough to name a message). */
function jsonString(text: string, prefix: string): string | undefined {
  const at = text.indexOf(prefix);
  if (at === -1) return undefined;
  let close = at + prefix.length;
  while (close < text.length && !(text.charCodeAt(close) === 0x22 && text.charCodeAt(close - 1) !== 0x5c)) close++;
  return text.slice(at + prefix.length, close);
}
