/**
 * The queue message that moves an order: `{"order_id": "..."}`. Written here for the redrive, a resubmission
 * and start-up recovery, and by the workflow's SendToQueue state (workflow/order-workflow.asl.json, whose
 * MessageBody has this same shape; order-message.test.ts holds the two together). Read by the fulfilment and
 * dead-letter handlers, and by the local host's start-up reconciliation (SQL json_extract of `$.order_id`).
 */
export interface OrderMessage {
  order_id: string;
}

export function encodeOrderMessage(orderId: string): string {
  return JSON.stringify({ order_id: orderId } satisfies OrderMessage);
}

/** The message's order, or undefined for a malformed (poison) body. */
export function decodeOrderMessage(body: string): OrderMessage | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && 'order_id' in parsed) {
      const id = (parsed as { order_id: unknown }).order_id;
      if (typeof id === 'string' && id.length > 0) return { order_id: id };
    }
  } catch {
    // fall through: not JSON
  }
  return undefined;
}
