import Yams

/// The text of a YAML file before Yams sees it: UTF-8 and no control characters, each fault
/// located at its line and column (never the file's content in the message), and where a
/// duplicate key's second occurrence is.
enum PolicyText {
    enum Decoded {
        case text(String)
        case notUTF8(PolicyProblem)
    }

    /// The file's text, or a problem at the first byte that is not UTF-8.
    static func decode(_ bytes: [UInt8], file: String) -> Decoded {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        var at = Position()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar):
                offset += scalar.count
                at.advance(Unicode.UTF8.decode(scalar))
            case .error:
                let byte = String(bytes[offset], radix: 16, uppercase: true)
                return .notUTF8(PolicyProblem(file: file, line: at.line, column: at.column, message: "the file is not UTF-8: byte 0x\(byte) here is not part of a UTF-8 character",
                                              hint: "save the file as UTF-8 (YAML files are UTF-8)"))
            case .emptyInput:
                return .text(String(decoding: bytes, as: UTF8.self))
            }
        }
    }

    /// A problem at the first control character YAML does not allow (NUL among them), if any.
    static func firstControlCharacter(in text: String, file: String) -> PolicyProblem? {
        var at = Position()
        for scalar in text.unicodeScalars {
            if (scalar.value < 0x20 && scalar != "\t" && scalar != "\r" && scalar != "\n") || scalar.value == 0x7F {
                let name = scalar.value == 0 ? "a NUL byte" : "the control character U+\(String(scalar.value, radix: 16, uppercase: true).leftPadded(4))"
                return PolicyProblem(file: file, line: at.line, column: at.column, message: "\(name) here: YAML does not allow control characters",
                                     hint: "remove it; a policy file is plain text")
            }
            at.advance(scalar)
        }
        return nil
    }

    /// A line and column counted as YAML (and so Yams) counts them: LF, CR LF and a lone CR
    /// each end a line.
    struct Position {
        private(set) var line = 1
        private(set) var column = 1
        private var afterCR = false

        mutating func advance(_ scalar: Unicode.Scalar) {
            switch scalar {
            case "\n" where afterCR: break
            case "\n", "\r": line += 1; column = 1
            default: column += 1
            }
            afterCR = scalar == "\r"
        }
    }

    /// Line and column (1-based) of the character at `offset` (in Characters, as Yams counts).
    static func location(ofCharacter offset: Int, in text: String) -> (line: Int, column: Int) {
        var line = 1, column = 1
        for character in text.prefix(offset) {
            if character.isNewline { line += 1; column = 1 } else { column += 1 }
        }
        return (line, column)
    }

    /// Where `key` appears again after its first occurrence at `first`: the next line that holds
    /// it at the same column (block mapping), else the next `key:` on the same line (flow
    /// mapping); `first` when neither is found.
    static func nextKey(_ key: String, after first: Mark, in text: String) -> (line: Int, column: Int) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0) }
        let forms = [key, "\"\(key)\"", "'\(key)'"].map(Array.init)
        func isKey(_ chars: [Character], at index: Int) -> Bool {
            forms.contains { form in
                guard index + form.count <= chars.count, Array(chars[index..<index + form.count]) == form else { return false }
                return chars[(index + form.count)...].first { $0 != " " } == ":"
            }
        }
        for number in first.line..<lines.count {
            let chars = lines[number]
            if isKey(chars, at: first.column - 1) { return (number + 1, first.column) }
            // A line that starts left of the key ends its mapping.
            if let start = chars.firstIndex(where: { $0 != " " }), start < first.column - 1, chars[start] != "#" { break }
        }
        if first.line - 1 < lines.count {
            let chars = lines[first.line - 1]
            for index in first.column..<max(first.column, chars.count) where (chars[index - 1] == " " || chars[index - 1] == "," || chars[index - 1] == "{") && isKey(chars, at: index) {
                return (first.line, index + 1)
            }
        }
        return (first.line, first.column)
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
