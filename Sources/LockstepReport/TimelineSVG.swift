import LockstepCore

/// One credential's history as an inline SVG: above, the age of the current key over time (a
/// saw-tooth) against the maximum age (a dashed line); below, each version as a bar while it was
/// current, and the runs, drift and failed notifications as marks at their times.
struct TimelineSVG {
    let credential: CredentialReport
    let until: String
    /// The time span drawn, in milliseconds: from `since` (else the first version) to `until`.
    private let start: Int64, end: Int64

    init(credential: CredentialReport, since: String?, until: String) {
        self.credential = credential
        self.until = until
        let ms = { (s: String) in Timestamp(rfc3339: s)?.millisecondsSinceEpoch ?? 0 }
        let first = credential.versions.map { ms($0.currentFrom ?? $0.created) }.min() ?? ms(until)
        start = since.map(ms) ?? first
        end = max(ms(until), start + 1)
    }

    static let width = 960.0, left = 12.0, right = 12.0
    /// Lanes, top to bottom: the age plot, the version bars, the runs, the events, the time axis.
    static let ageTop = 18.0, ageHeight = 90.0, barTop = 122.0, barHeight = 16.0, runY = 154.0, eventY = 172.0, axisY = 190.0, height = 208.0

    private func x(_ t: Int64) -> Double {
        let span = Double(end - start)
        let clamped = min(max(t, start), end)
        return Self.left + (Self.width - Self.left - Self.right) * Double(clamped - start) / span
    }

    private func ms(_ s: String) -> Int64 { Timestamp(rfc3339: s)?.millisecondsSinceEpoch ?? 0 }
    private func c(_ v: Double) -> String { HumanText.coordinate(v) }

    func render() -> String {
        let maxAgeMs = credential.policy?.maxAgeSeconds.map { Double($0) * 1000 }
        let longest = Double(credential.longestAgeSeconds ?? 0) * 1000
        let top = max(maxAgeMs.map { $0 * 1.25 } ?? 0, longest * 1.05, 1)
        func y(_ age: Double) -> Double { Self.ageTop + Self.ageHeight * (1 - min(age, top) / top) }
        let base = y(0)
        var svg = #"<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \#(Int(Self.width)) \#(Int(Self.height))" role="img" aria-label="timeline of \#(HumanText.escape(credential.name))">"#
        svg += #"<line class="axis" x1="\#(c(Self.left))" y1="\#(c(base))" x2="\#(c(Self.width - Self.right))" y2="\#(c(base))"/>"#
        for p in credential.outOfPolicy {
            svg += #"<rect class="over" x="\#(c(x(ms(p.from))))" y="\#(c(Self.ageTop))" width="\#(c(x(ms(p.to)) - x(ms(p.from))))" height="\#(c(Self.barTop + Self.barHeight - Self.ageTop))"><title>v\#(p.version) out of policy for \#(HumanText.duration(seconds: p.seconds))</title></rect>"#
        }
        for v in credential.versions {
            guard let from = v.currentFrom.map(ms) else { continue }
            let to = v.currentUntil.map(ms) ?? ms(until)
            let x0 = x(from), x1 = x(to)
            let ageAtEnd = Double(min(to, end) - from)
            svg += #"<polygon class="age" points="\#(c(x0)),\#(c(base)) \#(c(x1)),\#(c(y(ageAtEnd))) \#(c(x1)),\#(c(base))"/>"#
            let label = "v\(v.version) \(v.end.rawValue), current \(HumanText.duration(seconds: v.lifetimeSeconds ?? 0))"
            svg += #"<rect class="version bar-\#(v.end.rawValue)" data-version="\#(v.version)" x="\#(c(x0))" y="\#(c(Self.barTop))" width="\#(c(max(x1 - x0, 1)))" height="\#(c(Self.barHeight))"><title>\#(HumanText.escape(label))</title></rect>"#
            if x1 - x0 > 24 { svg += #"<text x="\#(c(x0 + 3))" y="\#(c(Self.barTop + 12))" class="bar-label">v\#(v.version)</text>"# }
        }
        if let maxAgeMs, let maxAge = credential.policy?.maxAge {
            svg += #"<line class="max-age" x1="\#(c(Self.left))" y1="\#(c(y(maxAgeMs)))" x2="\#(c(Self.width - Self.right))" y2="\#(c(y(maxAgeMs)))"/>"#
            svg += #"<text x="\#(c(Self.left + 4))" y="\#(c(y(maxAgeMs) - 4))">max age \#(HumanText.escape(maxAge))</text>"#
        }
        for run in credential.runs {
            svg += mark(at: ms(run.started), y: Self.runY, kind: "m-\(run.outcome.rawValue)", shape: run.kind == "revoke" ? .diamond : .triangle,
                        title: "\(run.kind) \(run.outcome.rawValue) \(HumanText.time(run.started))")
        }
        for d in credential.drift { svg += mark(at: ms(d.time), y: Self.eventY, kind: "m-drift", shape: .circle, title: "drift \(HumanText.time(d.time))") }
        for n in credential.notificationFailures { svg += mark(at: ms(n.time), y: Self.eventY, kind: "m-notification", shape: .square, title: "notification failed \(HumanText.time(n.time))") }
        svg += #"<text x="\#(c(Self.left))" y="\#(c(Self.axisY + 12))">\#(HumanText.time(Timestamp(millisecondsSinceEpoch: start).rfc3339))</text>"#
        svg += #"<text x="\#(c(Self.width - Self.right))" y="\#(c(Self.axisY + 12))" text-anchor="end">\#(HumanText.time(until))</text>"#
        return svg + "</svg>"
    }

    private enum Shape { case triangle, diamond, circle, square }

    private func mark(at t: Int64, y cy: Double, kind: String, shape: Shape, title: String) -> String {
        let cx = x(t)
        let body: String
        switch shape {
        case .triangle: body = #"<polygon points="\#(c(cx)),\#(c(cy - 6)) \#(c(cx + 6)),\#(c(cy + 5)) \#(c(cx - 6)),\#(c(cy + 5))"/>"#
        case .diamond: body = #"<polygon points="\#(c(cx)),\#(c(cy - 7)) \#(c(cx + 7)),\#(c(cy)) \#(c(cx)),\#(c(cy + 7)) \#(c(cx - 7)),\#(c(cy))"/>"#
        case .circle: body = #"<circle cx="\#(c(cx))" cy="\#(c(cy))" r="5"/>"#
        case .square: body = #"<rect x="\#(c(cx - 4))" y="\#(c(cy - 4))" width="8" height="8"/>"#
        }
        return #"<g class="mark \#(kind)"><title>\#(HumanText.escape(title))</title>\#(body)</g>"#
    }
}
