import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type PackagedFunction, packageFunctions } from '../../scripts/package.ts';
import type { LambdaName } from '../../src/config.ts';

/** A Lambda handler as the runtime calls it: the event (and a context, which DOFS's handlers ignore). */
export type LambdaHandler = (event: unknown, context?: unknown) => Promise<unknown>;

/**
 * Builds the Lambda bundles exactly as `npm run package` does, into a directory inside the project, so that
 * the bundles resolve the AWS SDK from node_modules, as the Lambda runtime provides it to them (the SDK is
 * left out of the bundles).
 */
export async function buildLambdaBundles() {
  const cache = new URL('../../node_modules/.cache/', import.meta.url).pathname;
  mkdirSync(cache, { recursive: true });
  const outdir = mkdtempSync(join(cache, 'dofs-bundles-'));
  const packaged: PackagedFunction[] = await packageFunctions(outdir);
  let instances = 0;
  return {
    packaged,
    /**
     * Imports a bundle and returns its handler: a cold start, with the configuration in process.env now.
     * Each call is a new execution environment (a fresh module instance of the same built file), as after
     * a change of the function's environment on AWS.
     */
    async coldStart(name: LambdaName): Promise<LambdaHandler> {
      const bundle = packaged.find((p) => p.name === name)?.bundle;
      if (!bundle) throw new Error(`no bundle for ${name}`);
      instances += 1;
      const url = `${pathToFileURL(bundle).href}?instance=${instances}`;
      return (await import(url)).handler as LambdaHandler;
    },
    remove() {
      rmSync(outdir, { recursive: true, force: true });
    },
  };
}
