// Writes the API Gateway request model (JSON Schema draft 4) of POST /order from the one zod schema:
// terraform/modules/api_gateway/order-request.schema.json. test/contracts/terraform.test.ts fails if the
// committed file is not what this script generates.
import { writeFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { canonicalOrderSchema, itemOrderSchema, productOrderSchema } from '../src/core/order.ts';

export const MODEL_PATH = new URL(
  '../terraform/modules/api_gateway/order-request.schema.json',
  import.meta.url,
);

export function orderRequestModel(): string {
  const strip = (schema: z.core.$ZodType) => {
    const { $schema: _, ...rest } = z.toJSONSchema(schema, { target: 'draft-4', io: 'input' }) as Record<
      string,
      unknown
    >;
    return rest;
  };
  const model = {
    $schema: 'http://json-schema.org/draft-04/schema#',
    title: 'OrderRequest',
    oneOf: [strip(canonicalOrderSchema), strip(productOrderSchema), strip(itemOrderSchema)],
  };
  return `${JSON.stringify(model, null, 2)}\n`;
}

if (import.meta.main) {
  writeFileSync(MODEL_PATH, orderRequestModel());
  process.stdout.write(`wrote ${MODEL_PATH.pathname}\n`);
}
