/** Notifications to the people at the PCs (issue 15 §2): part of the route table (`routes.ts`). */
import { listResponseSchema as list } from "../api.js";
import { ackStatusSchema, notificationCreatedSchema, notificationDetailSchema, notificationSummarySchema, notificationWithdrawnAnswerSchema } from "../notification.js";
import { json, yamlBody, type RouteDef } from "./descriptors.js";
import * as q from "./requests.js";

export const notificationRoutes = {
  createNotification: {
    method: "POST", path: "/api/notifications", access: "operator",
    summary: "Publish a notification from its YAML (or the same document as JSON) to the targeted PCs",
    body: yamlBody("INVALID_NOTIFICATION"), response: json(notificationCreatedSchema, 201),
  },
  listNotifications: {
    method: "GET", path: "/api/notifications", access: "viewer",
    summary: "Notifications, newest first",
    query: q.listNotificationsQuery, response: json(list(notificationSummarySchema)),
  },
  getNotification: {
    method: "GET", path: "/api/notifications/:id", access: "viewer",
    summary: "One notification with its body and YAML",
    params: q.notificationParams, response: json(notificationDetailSchema),
  },
  getNotificationAckStatus: {
    method: "GET", path: "/api/notifications/:id/ack_status", access: "viewer",
    summary: "Per PC and user: acknowledged, shown, pending or expired",
    params: q.notificationParams, response: json(ackStatusSchema),
  },
  withdrawNotification: {
    method: "POST", path: "/api/notifications/:id/withdraw", access: "operator",
    summary: "Take a notification back: PCs stop showing it",
    params: q.notificationParams, response: json(notificationWithdrawnAnswerSchema),
  },
} as const satisfies Record<string, RouteDef>;
