// The OpenAPI contract passes two real linters with the repository's rules, without a single
// warning: Redocly CLI (openapi/redocly.yaml) and Spectral (openapi/.spectral.yaml, spectral:oas).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const specDir = path.dirname(process.env.TG_OPENAPI);

test('openapi.yaml passes redocly lint with no errors and no warnings', () => {
  const bin = path.join(here, 'node_modules', '.bin', 'redocly');
  const config = path.join(specDir, 'redocly.yaml');
  const r = spawnSync(bin, ['lint', '--config', config, process.env.TG_OPENAPI], { encoding: 'utf8' });
  const out = r.stdout + r.stderr;
  assert.equal(r.status, 0, `redocly lint failed:\n${out}`);
  assert.match(out, /valid/);
  assert.doesNotMatch(out, /warning/i, `redocly lint warns:\n${out}`);
});

test('openapi.yaml passes spectral lint (spectral:oas) with no result of any severity', () => {
  const bin = path.join(here, 'node_modules', '.bin', 'spectral');
  const ruleset = path.join(specDir, '.spectral.yaml');
  const r = spawnSync(bin, ['lint', '--ruleset', ruleset, '--fail-severity', 'hint', '--format', 'json', '--quiet',
    process.env.TG_OPENAPI], { encoding: 'utf8' });
  assert.equal(r.status, 0, `spectral lint failed:\n${r.stdout}\n${r.stderr}`);
  assert.deepEqual(JSON.parse(r.stdout || '[]'), [], `spectral reports:\n${r.stdout}`);
});
