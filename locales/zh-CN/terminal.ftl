# `preview` 与 `claims show` 在终端里打印的内容。

terminal-date-round = 日期: { $date }   轮次: { $round }
terminal-related-news = 相关新闻:
terminal-no-news = （窗口内没有与此论断相关的新闻）
terminal-news-meta = { $source } · { $date } · score { $score }
terminal-essay = 原文: { $url }
terminal-deadline = 截止: { $deadline }
terminal-explain-title = 入选原因:
terminal-explain-line = { $rank }. 占论断自身得分的 { $share }；匹配的词（权重）：{ $terms }
terminal-explain-none = （无）
terminal-explain-dense = 语义排名 { $rank } ({ $similarity })
terminal-sample-source = 示例新闻
eval-header = { $items } 条新闻，{ $keywords ->
    [yes] 含关键词
   *[no] 不含关键词
}，{ $chinese ->
    [pairs] 中文按字对切分
   *[words] 中文按词切分
}
eval-claim = { $id } { $precision }  （数据集中相关 { $relevant } 条）
eval-mean = 平均前三准确率（precision@3）：{ $mean }（{ $claims } 条论断）
eval-empty = 没有任何新闻的论断：{ $ids }
eval-none = 无
eval-unlabeled = 数据集中没有相关新闻、却仍被配上新闻的论断（仅供查看，不计入平均）：
eval-embeddings = 融合了 { $model } 的语义相似度（倒数排名融合）：{ $claims } 条论断中有 { $used } 条用上了语义
eval-embeddings-prefixes = 论断文本前缀：{ $query }；新闻文本前缀：{ $document }
eval-dense-rank = （语义排名：{ $rank }）
eval-embeddings-cost = 向量化：{ $items } 条新闻用时 { $items_ms } 毫秒（每条 { $per_item } 毫秒），论断文本 { $texts } 条用时 { $claims_ms } 毫秒
terminal-feed-unreachable = 无法读取订阅源 { $url }：{ $why }
terminal-claims-valid = { $path }：有效，{ $count } 条论断，{ $sections } 个章节
terminal-claims-invalid = { $path }：{ $count } 个问题
terminal-no-such-claim = 没有论断 `{ $id }`；见 `claims list`
terminal-no-such-claim-near = 没有论断 `{ $id }`；你是不是想找：{ $near }
