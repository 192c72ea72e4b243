# 新闻源无法读取、或每日帖子无法发送的原因：随新闻源和服务器保存，显示在 /feeds list、
# /feeds status、/digest status 和通知的冒号之后。$detail 是别人的原文（解析器或 Discord 的说明），
# 按原样显示。

## 抓取新闻源

reason-http-status = { $code ->
    [401] 服务器要求登录（HTTP 401）
    [403] 服务器拒绝访问（HTTP 403）
    [404] 该地址下没有内容（HTTP 404）
    [410] 该新闻源已被永久移除（HTTP 410）
    [429] 服务器表示请求过于频繁（HTTP 429）
   *[other] 服务器返回 HTTP { $code }
}
reason-http-server-error = 服务器出错（HTTP { $code }）
reason-connect-timeout = { $seconds } 秒内未能建立连接
reason-timeout = { $seconds } 秒内未收到完整响应
reason-connection-refused = 服务器拒绝连接
reason-connect-failed = 无法连接（{ $detail }）
reason-network = 连接中断（{ $detail }）
reason-too-many-redirects = 重定向超过 { $limit } 次
reason-too-large = 内容超过 { $mib } MiB
reason-refused-private = { $address } 是内网地址，本机器人未开启抓取内网
reason-refused-always = { $address } 是链路本地或云元数据地址，一律不抓取
reason-bad-address = 不是可用的网址
reason-address-empty = 未提供网址
reason-address-no-scheme = 网址没有以 https:// 或 http:// 开头
reason-address-no-scheme-guess = 网址没有以 https:// 或 http:// 开头（您是否想输入 { $suggestion }？）
reason-address-no-host = 网址中 :// 之后缺少主机名（域名）
reason-address-bad-host = 网址中的主机名不是有效的域名或 IP 地址
reason-address-bad-port = 网址中的端口不是 0 到 65535 之间的数字
reason-address-bad-redirect = 服务器重定向到 { $location }，但这不是有效的网址
reason-unsupported-scheme = 只抓取 http 和 https 地址，不支持 { $scheme }
reason-host-busy = 该网站的请求额度已用完，{ $seconds } 秒后轮到下一次
reason-file = 无法读取文件（{ $detail }）

## 新闻源的内容

reason-not-a-feed = 不是新闻源（{ $detail }）
reason-parser-crashed = 解析器处理此文档时出错（{ $detail }）

## 在版主给出的地址上找新闻源

reason-not-modified = 服务器对第一次请求就回答“未修改”（HTTP 304）
reason-no-feed-on-page = 这是一个网页，没有标明新闻源，站点上常见的新闻源地址也都不是
reason-linked-not-usable = 页面标明的新闻源是 { $url }，但无法读取：{ $why }
reason-no-title = 这个网页没有可以显示的标题
reason-empty-feed = 这个新闻源里没有带标题的条目

## 每日帖子的发送

reason-missing-permissions = 机器人在该频道缺少所需权限（Discord 403：Missing Permissions）
reason-missing-access = 机器人看不到该频道（Discord 403：Missing Access）
reason-unknown-channel = 该频道已不存在（Discord 404：Unknown Channel）
reason-discord-refused = Discord 拒绝了这条帖子（HTTP { $status }：{ $detail }）

## 旧版本保存的原因

reason-other = { $detail }
