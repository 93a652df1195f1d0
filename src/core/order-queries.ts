import { OrderNotFoundError } from './errors.ts';
import type { Order, OrderStatus } from './order.ts';
import type { FailedOrder, FailedOrderRepository, OrderRepository, Page } from './ports.ts';

/** Read side: one order, pages of orders by status, pages of failed orders, counts. */
export function createOrderQueries(deps: { orders: OrderRepository; failedOrders: FailedOrderRepository }) {
  return {
    async getOrder(orderId: string): Promise<Order> {
      const order = await deps.orders.get(orderId);
      if (!order) throw new OrderNotFoundError(orderId);
      return order;
    },
    listOrders(query: { status?: OrderStatus; limit: number; cursor?: string }): Promise<Page<Order>> {
      return deps.orders.list(query);
    },
    listFailedOrders(query: { limit: number; cursor?: string }): Promise<Page<FailedOrder>> {
      return deps.failedOrders.list(query);
    },
    async counts() {
      const [byStatus, failedOrders] = await Promise.all([
        deps.orders.countByStatus(),
        deps.failedOrders.count(),
      ]);
      return { byStatus, failedOrders };
    },
  };
}
