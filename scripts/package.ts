// npm run package: one esbuild bundle (ESM, minified) and one zip per Lambda function in dist/, with sizes.
// The AWS SDK v3 is left out of the bundles: the nodejs24.x runtime provides it.
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { zipSync } from 'fflate';
import { LAMBDA_ENVIRONMENT, type LambdaName } from '../src/config.ts';

const ROOT = new URL('..', import.meta.url).pathname;
export const LAMBDA_NAMES = Object.keys(LAMBDA_ENVIRONMENT) as LambdaName[];
export const MAX_BUNDLE_BYTES = 300 * 1024;

export interface PackagedFunction {
  name: LambdaName;
  bundle: string;
  zip: string;
  bundleBytes: number;
  zipBytes: number;
}

export async function packageFunctions(outdir = join(ROOT, 'dist')): Promise<PackagedFunction[]> {
  rmSync(outdir, { recursive: true, force: true });
  const packaged: PackagedFunction[] = [];
  for (const name of LAMBDA_NAMES) {
    const dir = join(outdir, name);
    mkdirSync(dir, { recursive: true });
    const bundle = join(dir, 'index.mjs');
    await build({
      entryPoints: [join(ROOT, 'src/hosts/aws/lambda', `${name}.ts`)],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      // The oldest Lambda runtime the Terraform accepts (var.runtime: nodejs22.x or nodejs24.x).
      target: 'node22',
      format: 'esm',
      minify: true,
      legalComments: 'none',
      external: ['@aws-sdk/*'],
      // Bundled CommonJS dependencies may call require(): give the ESM bundle one.
      banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
      logLevel: 'warning',
    });
    const zip = join(outdir, `${name}.zip`);
    writeFileSync(
      zip,
      zipSync({ 'index.mjs': readFileSync(bundle) }, { level: 9, mtime: new Date('2026-01-01T00:00:00Z') }),
    );
    packaged.push({ name, bundle, zip, bundleBytes: statSync(bundle).size, zipBytes: statSync(zip).size });
  }
  return packaged;
}

if (import.meta.main) {
  const packaged = await packageFunctions();
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  for (const p of packaged) {
    process.stdout.write(
      `${p.name.padEnd(16)} bundle ${kib(p.bundleBytes).padStart(10)}   zip ${kib(p.zipBytes).padStart(10)}\n`,
    );
  }
  const over = packaged.filter((p) => p.bundleBytes > MAX_BUNDLE_BYTES);
  if (over.length) {
    process.stderr.write(`over the 300 KiB budget: ${over.map((p) => p.name).join(', ')}\n`);
    process.exitCode = 1;
  }
}
