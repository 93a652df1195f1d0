import { OrderNotFoundError } from './errors.ts';
import type { Order } from './order.ts';
import type { OrderHistory } from './order-history.ts';
import { type FailedOrderSearch, MAX_REASON_GROUPS, type OrderSearch } from './order-search.ts';
import type { FailedOrder, FailedOrderRepository, OrderRepository, Page, ReasonCount } from './ports.ts';

/** Read side: one order and its history, searches of orders, pages of failed orders and their summary, counts. */
export function createOrderQueries(deps: { orders: OrderRepository; failedOrders: FailedOrderRepository }) {
  return {
    async getOrder(orderId: string): Promise<Order> {
      const order = await deps.orders.get(orderId);
      if (!order) throw new OrderNotFoundError(orderId);
      return order;
    },
    /** The order's events, oldest first; OrderNotFound for an unknown order. */
    async orderHistory(orderId: string): Promise<OrderHistory> {
      const history = await deps.orders.history(orderId);
      if (!history) throw new OrderNotFoundError(orderId);
      return history;
    },
    listOrders(query: OrderSearch): Promise<Page<Order>> {
      return deps.orders.list(query);
    },
    listFailedOrders(query: FailedOrderSearch): Promise<Page<FailedOrder>> {
      return deps.failedOrders.list(query);
    },
    /** How many failed orders match `reason` (all without it), and all of them grouped by reason. */
    async failedOrdersSummary(
      query: { reason?: string } = {},
    ): Promise<{ total: number; byReason: ReasonCount[] }> {
      const [total, byReason] = await Promise.all([
        deps.failedOrders.count(query.reason === undefined ? {} : { reason: query.reason }),
        deps.failedOrders.countByReason(MAX_REASON_GROUPS),
      ]);
      return { total, byReason };
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
