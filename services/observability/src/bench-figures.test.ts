import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { judge, readBenchFigures, recordBenchFigure } from './bench-figures.js';

test('a figure is judged by its ratio to the ceiling, or by an absolute bound', () => {
  assert.deepEqual(judge({ stage: 'ingest', metric: 'reads/s', value: 250, unit: 'reads/s', ceiling: 1000, target: { kind: 'ratio-at-least', value: 0.25 } }), { ratio: 0.25, met: true });
  assert.deepEqual(judge({ stage: 'ingest', metric: 'reads/s', value: 240, unit: 'reads/s', ceiling: 1000, target: { kind: 'ratio-at-least', value: 0.25 } }), { ratio: 0.24, met: false });
  assert.deepEqual(judge({ stage: 'settlement', metric: 'wall', value: 31, unit: 's', ceiling: null, target: { kind: 'at-most', value: 30 } }), { ratio: null, met: false });
  assert.deepEqual(judge({ stage: 'x', metric: 'y', value: 1, unit: 'u', ceiling: null, target: null }), { ratio: null, met: null });
});

test('the summary keeps the last figure per stage and metric recorded since a time', () => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-')), 'figures.jsonl');
  const env = { IES_BENCH_FIGURES: file };
  recordBenchFigure({ stage: 'loader', metric: 'rows/s', value: 1, unit: 'rows/s', ceiling: 2, target: null }, env);
  recordBenchFigure({ stage: 'loader', metric: 'rows/s', value: 3, unit: 'rows/s', ceiling: 4, target: null }, env);
  recordBenchFigure({ stage: 'ingest', metric: 'reads/s', value: 5, unit: 'reads/s', ceiling: null, target: null }, env);
  const figures = readBenchFigures(file);
  assert.equal(figures.length, 2);
  assert.equal(figures.find((f) => f.stage === 'loader')?.value, 3);
  assert.deepEqual(readBenchFigures(file, '9999'), []);
});
