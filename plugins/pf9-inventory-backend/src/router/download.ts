import { Response } from 'express';

const CONTENT_TYPES = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'application/zip',
} as const;

/** Headers of an export download: XLSX, or a ZIP of CSV files, as an attachment named `fileName`. */
export function setDownloadHeaders(
  res: Response,
  format: 'xlsx' | 'csv',
  fileName: string,
): void {
  res.setHeader('Content-Type', CONTENT_TYPES[format]);
  res.setHeader('Content-Disposition', `attachment; filename="${fileName}"`);
}
