using System.Text;
using System.Text.Json;

namespace IotLabKit.Quizzes.Json;

/// <summary>
/// A JSON tree that remembers where each value and property name stood in the file, so validation messages can
/// say "line 12, column 7" — System.Text.Json's DOM forgets positions. Duplicate property names are kept (the
/// validator reports them; JsonDocument would silently pick one).
/// </summary>
internal abstract class PNode
{
    protected PNode(SourcePosition position) => Position = position;

    public SourcePosition Position { get; }

    public abstract string Kind { get; }
}

internal sealed class PObject(SourcePosition position, IReadOnlyList<PProperty> properties) : PNode(position)
{
    public IReadOnlyList<PProperty> Properties { get; } = properties;

    public override string Kind => "an object";

    public PProperty? Find(string name) => Properties.FirstOrDefault(p => p.Name == name);
}

internal sealed record PProperty(string Name, SourcePosition NamePosition, PNode Value);

internal sealed class PArray(SourcePosition position, IReadOnlyList<PNode> items) : PNode(position)
{
    public IReadOnlyList<PNode> Items { get; } = items;

    public override string Kind => "an array";
}

internal sealed class PValue(SourcePosition position, JsonValueKind valueKind, string? text, long? integer)
    : PNode(position)
{
    public JsonValueKind ValueKind { get; } = valueKind;

    /// <summary>The string value, or the number's literal text.</summary>
    public string? Text { get; } = text;

    /// <summary>The value when it is a whole number that fits a long.</summary>
    public long? Integer { get; } = integer;

    public override string Kind => ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}

/// <summary>A 1-based line and column (in characters) in a text file.</summary>
public readonly record struct SourcePosition(int Line, int Column)
{
    /// <inheritdoc />
    public override string ToString() => $"{Line},{Column}";
}

internal static class PositionedJson
{
    private const int MaxDepth = 64;

    /// <summary>Parses UTF-8 JSON (a BOM is allowed).</summary>
    /// <exception cref="JsonSyntaxException">The text is not JSON.</exception>
    public static PNode Parse(byte[] utf8)
    {
        var lines = new LineMap(utf8);
        var reader = new Utf8JsonReader(lines.Json, new JsonReaderOptions { MaxDepth = MaxDepth });
        try
        {
            if (!reader.Read())
            {
                throw new JsonSyntaxException("The file is empty.", new SourcePosition(1, 1));
            }

            var root = ReadValue(ref reader, lines);
            if (reader.Read())
            {
                throw new JsonSyntaxException("Unexpected text after the end of the JSON value.", lines.At(reader.TokenStartIndex));
            }

            return root;
        }
        catch (JsonException ex)
        {
            var line = (int)(ex.LineNumber ?? 0) + 1;
            var column = (int)(ex.BytePositionInLine ?? 0) + 1;
            throw new JsonSyntaxException(Describe(ex), new SourcePosition(line, column), ex);
        }
    }

    private static PNode ReadValue(ref Utf8JsonReader reader, LineMap lines)
    {
        var position = lines.At(reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var properties = new List<PProperty>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var name = reader.GetString()!;
                    var namePosition = lines.At(reader.TokenStartIndex);
                    reader.Read();
                    properties.Add(new PProperty(name, namePosition, ReadValue(ref reader, lines)));
                }

                return new PObject(position, properties);
            case JsonTokenType.StartArray:
                var items = new List<PNode>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(ReadValue(ref reader, lines));
                }

                return new PArray(position, items);
            case JsonTokenType.String:
                return new PValue(position, JsonValueKind.String, reader.GetString(), null);
            case JsonTokenType.Number:
                var literal = Encoding.UTF8.GetString(reader.ValueSpan);
                return new PValue(position, JsonValueKind.Number, literal, reader.TryGetInt64(out var n) ? n : null);
            case JsonTokenType.True:
                return new PValue(position, JsonValueKind.True, "true", null);
            case JsonTokenType.False:
                return new PValue(position, JsonValueKind.False, "false", null);
            default:
                return new PValue(position, JsonValueKind.Null, null, null);
        }
    }

    // The reader's messages end with "LineNumber: 3 | BytePositionInLine: 4."; we print the position ourselves.
    private static string Describe(JsonException ex)
    {
        var message = ex.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).Trim();
    }

    private sealed class LineMap
    {
        private readonly byte[] _utf8;
        private readonly int _start;
        private readonly List<int> _lineStarts = [];

        public LineMap(byte[] utf8)
        {
            _utf8 = utf8;
            _start = utf8.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
            _lineStarts.Add(_start);
            for (var i = _start; i < utf8.Length; i++)
            {
                if (utf8[i] == (byte)'\n')
                {
                    _lineStarts.Add(i + 1);
                }
            }
        }

        public ReadOnlySpan<byte> Json => _utf8.AsSpan(_start);

        public SourcePosition At(long tokenStart)
        {
            var offset = (int)tokenStart + _start;
            var line = _lineStarts.BinarySearch(offset);
            if (line < 0)
            {
                line = ~line - 1;
            }

            var column = Encoding.UTF8.GetCharCount(_utf8, _lineStarts[line], offset - _lineStarts[line]) + 1;
            return new SourcePosition(line + 1, column);
        }
    }
}

/// <summary>The text is not well-formed JSON.</summary>
internal sealed class JsonSyntaxException(string message, SourcePosition position, Exception? inner = null)
    : Exception(message, inner)
{
    public SourcePosition Position { get; } = position;
}
