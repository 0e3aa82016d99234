/** Notification routes: publish (YAML or JSON), list, show, the acknowledgement table, withdraw. */
import type { FastifyInstance } from "fastify";
import { requireNats, type Nats } from "../nats.js";
import type { Notifications } from "../notifications/index.js";
import { serve } from "./route.js";

export function notificationRoutes(app: FastifyInstance, nats: Nats, notifications: Notifications): void {
  serve(app, "createNotification", async ({ body }, ctx) => {
    requireNats(nats);
    return notifications.create(ctx.caller, body);
  });
  serve(app, "listNotifications", async ({ query }) => notifications.list(query.limit));
  serve(app, "getNotification", async ({ params }) => notifications.get(params.id));
  serve(app, "getNotificationAckStatus", ({ params }) => notifications.ackStatus(params.id));
  serve(app, "withdrawNotification", async ({ params }, ctx) => {
    requireNats(nats);
    return notifications.withdraw(ctx.caller, params.id);
  });
}
