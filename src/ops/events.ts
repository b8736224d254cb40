// The notifier's operational events (node:diagnostics_channel), subscribed by the metrics registry like the
// engine's (scheduler/events.ts). Publishing with no subscriber is free.
import dc from 'node:diagnostics_channel';

export interface NotificationEvent {
  channel: 'webhook' | 'email';
  outcome: 'delivered' | 'retry' | 'failed';
}

export const notificationChannel = dc.channel('drsoda:notification');

export function publishNotification(e: NotificationEvent): void {
  if (notificationChannel.hasSubscribers) notificationChannel.publish(e);
}
