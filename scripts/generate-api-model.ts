// Writes what API Gateway takes from the code: the request model (JSON Schema draft 4) of POST /order from the
// one zod schema (terraform/modules/api_gateway/order-request.schema.json), and the routes from the app's route
// table (terraform/modules/api_gateway/routes.json). test/contracts/terraform.test.ts fails if a committed file
// is not what this script generates.
import { writeFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { canonicalOrderSchema, itemOrderSchema, productOrderSchema } from '../src/core/order.ts';
import { API_ROUTES } from '../src/handlers/http/routes.ts';

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

export const ROUTES_PATH = new URL('../terraform/modules/api_gateway/routes.json', import.meta.url);

/** Route key => what API Gateway needs of it; the keys are the table's operation ids. */
export function apiGatewayRoutes(): string {
  const routes = Object.fromEntries(
    API_ROUTES.map((route) => [
      route.operationId,
      {
        path: route.path,
        method: route.method,
        order_body: 'orderBody' in route && route.orderBody === true,
        key: !('public' in route && route.public === true),
      },
    ]),
  );
  return `${JSON.stringify(routes, null, 2)}\n`;
}

if (import.meta.main) {
  writeFileSync(MODEL_PATH, orderRequestModel());
  writeFileSync(ROUTES_PATH, apiGatewayRoutes());
  process.stdout.write(`wrote ${MODEL_PATH.pathname} and ${ROUTES_PATH.pathname}\n`);
}
