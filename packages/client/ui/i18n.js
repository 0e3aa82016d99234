// The client's words in English and Japanese. Keys are the data-i18n attributes in index.html and app.js's t() calls.
export const MESSAGES = {
  en: {
    "app.title": "kanade", "theme.toggle": "Dark", "theme.toggle_light": "Light",
    "tab.home": "Home", "tab.notices": "Notices", "tab.updates": "Updates", "tab.troubleshoot": "Troubleshoot", "tab.catalog": "Catalog", "tab.support": "Support",
    "home.pc": "PC", "home.user": "Signed in as", "home.online": "Connected to IT", "home.agent_version": "Agent version", "home.client_version": "App version", "home.health": "Health",
    "agent.online": "Agent connected", "agent.offline": "Agent not reachable", "yes": "Yes", "no": "No", "health.ok": "OK", "health.bad": "Needs attention", "health.none": "No checks reported.",
    "notices.none": "No notices.", "notices.ack": "Acknowledge", "notices.acked": "Acknowledged", "notices.ack_emergency": "I have read this", "notices.expires": "Until",
    "priority.info": "Info", "priority.warning": "Warning", "priority.emergency": "Emergency",
    "updates.none": "No updates are waiting.", "updates.agent": "kanade agent {current} → {target}",
    "troubleshoot.intro": "Fixes you can run yourself, and what you ran.", "runs.title": "My runs", "runs.none": "You have not run anything yet.", "runs.kill": "Stop",
    "catalog.none": "IT has not offered any self-service jobs.", "catalog.run": "Run",
    "state.queued": "Queued", "state.running": "Running", "state.finished": "Finished",
    "support.intro": "Send IT a support bundle: this PC's state, recent results and the agent's log.", "support.note": "What is wrong? (optional)", "support.send": "Send support bundle", "support.sent": "Sent. Give IT this reference: {id}", "support.sending": "Sending…",
  },
  ja: {
    "app.title": "kanade", "theme.toggle": "ダーク", "theme.toggle_light": "ライト",
    "tab.home": "ホーム", "tab.notices": "お知らせ", "tab.updates": "更新", "tab.troubleshoot": "トラブル対応", "tab.catalog": "カタログ", "tab.support": "サポート",
    "home.pc": "PC", "home.user": "ユーザー", "home.online": "IT への接続", "home.agent_version": "エージェントのバージョン", "home.client_version": "アプリのバージョン", "home.health": "状態",
    "agent.online": "エージェント接続中", "agent.offline": "エージェントに接続できません", "yes": "はい", "no": "いいえ", "health.ok": "正常", "health.bad": "要確認", "health.none": "チェック結果はありません。",
    "notices.none": "お知らせはありません。", "notices.ack": "確認しました", "notices.acked": "確認済み", "notices.ack_emergency": "内容を確認しました", "notices.expires": "期限",
    "priority.info": "お知らせ", "priority.warning": "注意", "priority.emergency": "緊急",
    "updates.none": "保留中の更新はありません。", "updates.agent": "kanade エージェント {current} → {target}",
    "troubleshoot.intro": "自分で実行できる対処と、実行した履歴です。", "runs.title": "実行履歴", "runs.none": "まだ何も実行していません。", "runs.kill": "停止",
    "catalog.none": "セルフサービスのジョブはありません。", "catalog.run": "実行",
    "state.queued": "待機中", "state.running": "実行中", "state.finished": "完了",
    "support.intro": "サポート情報（この PC の状態、最近の結果、エージェントのログ）を IT に送ります。", "support.note": "困っていること（任意）", "support.send": "サポート情報を送信", "support.sent": "送信しました。受付番号: {id}", "support.sending": "送信中…",
  },
};
