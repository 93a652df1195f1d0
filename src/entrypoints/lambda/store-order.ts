import { buildStoreOrder } from '../../composition/aws.ts';
import { loadLambdaConfig } from '../../config.ts';

const storeOrder = buildStoreOrder(loadLambdaConfig('store-order'));

/** The workflow's StoreOrder Task; an OrderConflict or TransientError keeps its name for the ASL Catch/Retry. */
export const handler = (input: Parameters<typeof storeOrder>[0]) => storeOrder(input);
