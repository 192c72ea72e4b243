# 运维命令打印的内容：`check`、`backup` 与 `feed check`。

check-ok = ok
check-fail = FAIL
check-warn = warn
check-configuration = 配置
check-config-invalid = 无法读取：{ $error }（各项见 .env.example）
check-token-missing = 未设置：运行机器人需要它
check-token-malformed = 格式不像 Discord 机器人令牌（应为以点分隔的三段 base64url）；请从开发者门户重新复制
check-token-shaped = 已设置，格式正确（是否有效只有 Discord 知道）
check-database-unreachable = 无法连接：{ $error }
check-claims-valid = { $path }：有效，{ $count } 条论断
check-claims-invalid = { $path }：{ $count } 个问题：{ $problems }
check-feeds-valid = { $path }：有效，{ $count } 个订阅源
check-feeds-invalid = { $path }：无效：{ $error }
check-address-unset = 未设置：不提供服务
check-address-bindable = { $addr } 可以监听
check-address-unbindable = 无法监听 { $addr }：{ $error }（机器人是否已在运行？）
check-backups-off = 未设置：不自动备份
check-backups-writable = { $dir }：可写，每天备份一次
check-backups-unwritable = { $dir }：不可写：{ $error }
check-backups-need-pg-dump = 自动备份只适用于 SQLite；PostgreSQL 请用 pg_dump（见 `claim-digest backup`），并取消 BACKUP_DIR
check-embeddings-off = 未设置：新闻只按词语匹配排序
check-embeddings-answer = { $model } 可用：每个向量 { $dims } 个数，用时 { $millis } 毫秒
check-embeddings-failing = { $model } 无法使用：{ $error }（机器人将只按词语匹配排序）
check-schema-failed = { $backend }：迁移 { $versions } 曾经失败，需要人工处理
check-schema-changed = { $backend }：迁移 { $versions } 在应用之后被改动过
check-schema-unknown = { $backend }：数据库含有本版本不认识的迁移 { $versions }（来自更新的版本）
check-schema-new = { $backend }：数据库尚不存在，首次启动时创建并应用 { $count } 个迁移
check-schema-current = { $backend }：可以连接，{ $applied } 个迁移均已应用
check-schema-pending = { $backend }：可以连接，已应用 { $applied } 个，下次启动时应用 { $count } 个（{ $versions }）
check-summary = { $failed ->
    [0] 配置可以运行。
   *[other] { $failed } 项检查未通过。
}
backup-written = 已备份到 { $path }（{ $mib } MiB，完整性检查通过）。恢复方法见 README 的“备份与恢复”。
backup-use-pg-dump =
    PostgreSQL 数据库请用 pg_dump 备份（它在数据库运行时也能得到一致的副本）：

      { $command }

    密码不在命令里：由 PGPASSWORD 或 ~/.pgpass 提供。恢复到一个空数据库：

      { $restore }

## feed check

feed-check-ok = ✓ { $input }：{ $title }（{ $count } 条）
feed-check-untitled = （无标题）
feed-check-linked = 该页面列出的新闻源：{ $url }
feed-check-usual = 该页面没有列出新闻源；该网站在 { $url } 提供了一个
feed-check-several = ? { $input } 列出了 { $count } 个新闻源；请检查想要的那个：
feed-check-failed = ✗ { $input }：{ $error }
