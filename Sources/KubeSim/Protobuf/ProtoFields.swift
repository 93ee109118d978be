import Foundation

/// The fields of one protobuf message, read without a schema (enough for the few Kubernetes
/// messages KubeSim decodes). Only varint and length-delimited values are kept.
struct ProtoFields {
    enum Value {
        case varint(UInt64)
        case bytes([UInt8])
    }

    private(set) var fields: [(number: Int, value: Value)] = []

    init(_ bytes: [UInt8]) throws {
        var i = 0
        func varint() throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard i < bytes.count, shift < 64 else { throw APIError.badRequest("malformed protobuf body") }
                let byte = bytes[i]
                i += 1
                result |= UInt64(byte & 0x7f) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
            }
        }
        while i < bytes.count {
            let key = try varint()
            let number = Int(key >> 3)
            switch key & 7 {
            case 0: fields.append((number, .varint(try varint())))
            case 2:
                let length = Int(try varint())
                guard length >= 0, i + length <= bytes.count else { throw APIError.badRequest("malformed protobuf body") }
                fields.append((number, .bytes(Array(bytes[i..<i + length]))))
                i += length
            case 1: i += 8
            case 5: i += 4
            default: throw APIError.badRequest("malformed protobuf body")
            }
        }
    }

    func bytes(_ number: Int) -> [UInt8]? {
        for field in fields where field.number == number { if case .bytes(let b) = field.value { return b } }
        return nil
    }

    func string(_ number: Int) -> String? {
        bytes(number).map { String(decoding: $0, as: UTF8.self) }
    }

    func message(_ number: Int) throws -> ProtoFields? {
        try bytes(number).map(ProtoFields.init)
    }

    func all(_ number: Int) -> [[UInt8]] {
        fields.compactMap { field in
            guard field.number == number, case .bytes(let b) = field.value else { return nil }
            return b
        }
    }

    func bool(_ number: Int) -> Bool? {
        for field in fields where field.number == number { if case .varint(let v) = field.value { return v != 0 } }
        return nil
    }

    /// A `map<string, string|bytes>` field (repeated entries of key = 1, value = 2).
    func map(_ number: Int) throws -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for entry in all(number) {
            let e = try ProtoFields(entry)
            out[e.string(1) ?? ""] = e.bytes(2) ?? []
        }
        return out
    }
}
