import { loadLambdaConfig } from '../../../config.ts';
import { buildStoreOrder } from '../aws-system.ts';

const storeOrder = buildStoreOrder(loadLambdaConfig('store-order'));

/** The workflow's StoreOrder Task; an OrderConflict or TransientError keeps its name for the ASL Catch/Retry. */
export const handler = (input: Parameters<typeof storeOrder>[0]) => storeOrder(input);
