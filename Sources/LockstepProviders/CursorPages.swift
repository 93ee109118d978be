/// A list the admin APIs of Anthropic and OpenAI page with `data`, `has_more` and `last_id`: every
/// page read in turn, at most 50 (5,000 items at 100 a page), so a provider that keeps answering
/// `has_more` cannot keep a run waiting.
enum CursorPages {
    static let maxPages = 50

    /// `page(after)` fetches one page after the cursor (nil: the first); `item` reads one entry.
    /// `provider` and `what` name the list in errors.
    static func collect<T>(provider: String, what: String, page: (String?) async throws -> ProviderReply, item: ([String: Any]) -> T?) async throws -> [T] {
        var items: [T] = []
        var after: String?
        for _ in 0..<maxPages {
            let reply = try await page(after)
            guard let data = reply.object?["data"] as? [[String: Any]] else {
                throw ProviderError(.unexpected, status: reply.status, "\(provider)'s answer to \(what) has no data")
            }
            items += data.compactMap(item)
            guard reply.object?["has_more"] as? Bool == true, let last = reply.object?["last_id"] as? String else { return items }
            after = last
        }
        throw ProviderError(.unexpected, status: nil, "\(provider) kept answering more than \(maxPages) pages to \(what): listing them stopped")
    }
}
