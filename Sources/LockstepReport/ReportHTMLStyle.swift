/// The report's only style sheet, inlined: no external assets, readable on screen and printed
/// (each credential starts on a new page; colours are kept when printing).
enum ReportHTMLStyle {
    static let css = """
    :root { --ok: #1b7f3b; --bad: #b3261e; --warn: #b26a00; --muted: #5f6368; --line: #d0d4d9; }
    * { box-sizing: border-box; }
    body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1f2328; margin: 24px auto; max-width: 1000px; padding: 0 16px; }
    h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; } h3 { font-size: 14px; margin: 16px 0 6px; }
    code { font: 12px ui-monospace, "DejaVu Sans Mono", monospace; word-break: break-all; }
    table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; }
    th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
    th { font-weight: 600; color: var(--muted); font-size: 12px; }
    td.n { text-align: right; font-variant-numeric: tabular-nums; }
    .verified { border-left: 4px solid var(--ok); padding: 6px 10px; background: #f3faf5; }
    .status { font-size: 12px; font-weight: 600; padding: 1px 8px; border-radius: 10px; color: #fff; vertical-align: middle; }
    .s-compliant { background: var(--ok); } .s-out-of-policy { background: var(--bad); } .s-no-policy, .s-not-adopted { background: var(--muted); }
    .o-succeeded { color: var(--ok); } .o-rolled-back, .o-unfinished { color: var(--bad); font-weight: 600; } .o-abandoned { color: var(--warn); }
    .summary td { font-size: 16px; }
    .none { color: var(--muted); font-style: italic; }
    svg.timeline { width: 100%; height: auto; border: 1px solid var(--line); background: #fff; }
    svg .age { fill: #dbe7f7; stroke: #4a74b5; stroke-width: 1; }
    svg .max-age { stroke: var(--bad); stroke-width: 1.5; stroke-dasharray: 6 3; }
    svg .bar-current { fill: #4a74b5; } svg .bar-rotated { fill: #8aa6d1; } svg .bar-revoked { fill: var(--bad); } svg .bar-failed, svg .bar-pending { fill: var(--warn); }
    svg .over { fill: var(--bad); opacity: 0.18; }
    svg .m-succeeded { fill: var(--ok); } svg .m-rolled-back, svg .m-unfinished { fill: var(--bad); } svg .m-abandoned { fill: var(--warn); }
    svg .m-drift { fill: #7b1fa2; } svg .m-notification { fill: var(--muted); }
    svg text { font: 11px system-ui, "DejaVu Sans", sans-serif; fill: #1f2328; } svg text.bar-label { fill: #fff; } svg .axis { stroke: var(--line); }
    footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
    @media print {
      body { margin: 0; max-width: none; font-size: 11px; }
      section.credential { break-before: page; }
      tr, svg { break-inside: avoid; }
      * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
    }
    """
}
