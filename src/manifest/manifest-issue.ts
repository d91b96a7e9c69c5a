import type { LineCounter } from 'yaml';
import { escapeText } from '../escape-text.js';

/** One problem found in a manifest, with the position a person (or an editor) can jump to. */
export interface ManifestIssue {
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  col: number;
  /** The field, dotted (`spec.driver.memory`, `spec.volumes.0.hostPath`); empty for file-level problems. */
  path: string;
  message: string;
}

/**
 * Formats an issue as `file:line:col: field.path: message` (the path is left out when empty), on
 * one line: a field name or value quoted from the manifest may hold any character, so control and
 * bidi characters are shown escaped (`\r`, `\x1b`, `\u202e`).
 */
export function formatIssue(issue: ManifestIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.col}`;
  return escapeText(issue.path === '' ? `${where}: ${issue.message}` : `${where}: ${issue.path}: ${issue.message}`);
}

/**
 * The problems of a manifest as one status message: `field.path: message; …` (no file positions).
 * Kept exact, as every status string is: each output escapes it for a terminal (JSON does for logs).
 */
export function issuesText(issues: ReadonlyArray<Pick<ManifestIssue, 'path' | 'message'>>): string {
  return issues.map((i) => `${i.path ? `${i.path}: ` : ''}${i.message}`).join('; ');
}

/** Joins a zod/yaml path into the dotted form used in messages. */
export function dottedPath(path: readonly PropertyKey[]): string {
  return path.map((p) => String(p)).join('.');
}

/** Builds an issue at a source offset. */
export function issueAt(file: string, lineCounter: LineCounter, offset: number, path: string, message: string): ManifestIssue {
  const { line, col } = lineCounter.linePos(offset);
  return { file, line, col, path, message };
}

/** The 1-based line and column of a character offset in a text (without a LineCounter). */
export function positionOf(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  return { line, col: offset - lineStart + 1 };
}
