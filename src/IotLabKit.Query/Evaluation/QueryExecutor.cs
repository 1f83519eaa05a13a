using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IotLabKit.Query.Expressions;

namespace IotLabKit.Query.Evaluation;

/// <summary>
/// Runs a parsed query over documents: filter, then either project each document, fold aggregates into one row,
/// or fold them per GROUP BY key. TOP limits the number of result rows. Holds no state between runs. Aggregates
/// fold as the documents go past: nothing per document is kept, and a document of an existing group allocates nothing.
/// </summary>
internal static class QueryExecutor
{
    /// <summary>Runs the query over documents of any kind: <paramref name="read"/> gives each one's compact form, <paramref name="whole"/> its row for SELECT *.</summary>
    public static List<JsonNode> Run<T>(IotHubQuery query, IEnumerable<T> documents, Func<T, JsonElement> read, Func<T, JsonNode> whole)
    {
        var rows = new List<JsonNode>();
        var top = query.Top ?? int.MaxValue;
        if (top == 0)
        {
            return rows;
        }

        if (query.GroupBy.Count > 0)
        {
            RunGrouped(query, documents, read, rows, top);
        }
        else if (query.HasAggregates)
        {
            var aggregators = NewAggregators(query.Select);
            foreach (var document in documents)
            {
                var element = read(document);
                if (query.Matches(element))
                {
                    Accumulate(query.Select, aggregators, element);
                }
            }

            rows.Add(AggregateRow(query.Select, aggregators, groupValues: null));
        }
        else
        {
            foreach (var document in documents)
            {
                var element = read(document);
                if (!query.Matches(element))
                {
                    continue;
                }

                rows.Add(query.SelectsAll ? whole(document) : Project(query.Select, element));
                if (rows.Count >= top)
                {
                    break;
                }
            }
        }

        return rows;
    }

    private static void RunGrouped<T>(IotHubQuery query, IEnumerable<T> documents, Func<T, JsonElement> read, List<JsonNode> rows, int top)
    {
        var groups = new Dictionary<string, Group>(StringComparer.Ordinal);
        var lookup = groups.GetAlternateLookup<ReadOnlySpan<char>>();
        var order = new List<Group>();
        var key = new KeyText();
        var values = new Value[query.GroupBy.Count];
        foreach (var document in documents)
        {
            var element = read(document);
            if (!query.Matches(element))
            {
                continue;
            }

            key.Clear();
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = query.GroupBy[i].Evaluate(element);
                key.Append(values[i]);
            }

            if (!lookup.TryGetValue(key.Text, out var group))
            {
                group = new Group([.. values], NewAggregators(query.Select));
                groups.Add(key.Text.ToString(), group);
                order.Add(group);
            }

            Accumulate(query.Select, group.Aggregators, element);
        }

        foreach (var group in order.Take(top))
        {
            rows.Add(AggregateRow(query.Select, group.Aggregators, group.KeyValues));
        }
    }

    private static Aggregator?[] NewAggregators(IReadOnlyList<SelectItem> select)
        => select.Select(item => item.Aggregate is { } a ? new Aggregator(a.Kind) : null).ToArray();

    private static void Accumulate(IReadOnlyList<SelectItem> select, Aggregator?[] aggregators, JsonElement document)
    {
        for (var i = 0; i < select.Count; i++)
        {
            if (select[i].Aggregate is { } aggregate)
            {
                // COUNT() has no argument: every document counts.
                aggregators[i]!.Add(aggregate.Argument is null ? Value.True : aggregate.Argument.Evaluate(document));
            }
        }
    }

    /// <summary>
    /// One row per group: the aggregates first, then the grouped values, each in SELECT order — the shape IoT Hub
    /// shows (<c>{"numberOfDevices":3,"status":"Success"}</c>). Undefined results leave their key out.
    /// </summary>
    private static JsonObject AggregateRow(IReadOnlyList<SelectItem> select, Aggregator?[] aggregators, Value[]? groupValues)
    {
        var row = new JsonObject();
        for (var i = 0; i < select.Count; i++)
        {
            if (aggregators[i] is { } aggregator)
            {
                Put(row, select[i].OutputName, aggregator.Result);
            }
        }

        if (groupValues is null)
        {
            return row;
        }

        foreach (var item in select)
        {
            if (item.Aggregate is null)
            {
                Put(row, item.OutputName, groupValues[item.GroupKeyIndex]);
            }
        }

        return row;
    }

    internal static JsonObject Project(IReadOnlyList<SelectItem> select, JsonElement document)
    {
        var row = new JsonObject();
        foreach (var item in select)
        {
            if (item.Expression is PathExpression path)
            {
                // A path keeps the document's own JSON (exact numbers, nested objects) rather than a re-encoded value.
                if (path.TryResolve(document, out var found))
                {
                    row.Add(item.OutputName, NodeOf(found));
                }
            }
            else
            {
                Put(row, item.OutputName, item.Expression.Evaluate(document));
            }
        }

        return row;
    }

    /// <summary>The row of SELECT * for a compact document: a node over its own text.</summary>
    internal static JsonNode WholeRow(JsonElement document)
        => NodeOf(document) ?? throw new ArgumentException("A query document is a JSON object, not null.", nameof(document));

    /// <summary>A node over a document's element: its own text, read-only until the row's owner changes it.</summary>
    private static JsonNode? NodeOf(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.Object => JsonObject.Create(element),
        JsonValueKind.Array => JsonArray.Create(element),
        _ => JsonValue.Create(element),
    };

    private static void Put(JsonObject row, string name, in Value value)
    {
        if (!value.IsUndefined)
        {
            row.Add(name, value.ToNode());
        }
    }

    private sealed record Group(Value[] KeyValues, Aggregator?[] Aggregators);

    /// <summary>
    /// The text of a group key, built in a reused buffer so that looking up an existing group allocates nothing.
    /// Equal values (1 and 1.0 included) give equal text and different types never collide: per key a type
    /// letter, then the content length-prefixed so no content can forge a separator.
    /// </summary>
    private sealed class KeyText
    {
        private char[] _buffer = new char[128];
        private int _length;

        public ReadOnlySpan<char> Text => _buffer.AsSpan(0, _length);

        public void Clear() => _length = 0;

        public void Append(in Value value)
        {
            Add((char)('a' + (int)value.Kind));
            switch (value.Kind)
            {
                case ValueKind.String:
                    AppendContent(value);
                    break;
                case ValueKind.Number:
                    Span<char> digits = stackalloc char[32];
                    value.Number.TryFormat(digits, out var written, "R", CultureInfo.InvariantCulture);
                    AppendCounted(digits[..written]);
                    break;
                case ValueKind.Boolean:
                    AppendCounted(value.Boolean ? "true" : "false");
                    break;
                case ValueKind.Object:
                case ValueKind.Array:
                    AppendCounted(value.ToString()); // the JSON text
                    break;
                default:
                    AppendCounted([]);
                    break;
            }
        }

        private void AppendContent(in Value value)
        {
            // A document string without escapes is its UTF-8 text between the quotes: decode it in place.
            if (value.Element is { ValueKind: JsonValueKind.String } element)
            {
                var raw = JsonMarshal.GetRawUtf8Value(element);
                var inner = raw.Length >= 2 ? raw[1..^1] : raw;
                if (inner.IndexOf((byte)'\\') < 0)
                {
                    var count = Encoding.UTF8.GetCharCount(inner);
                    AppendCountPrefix(count);
                    Ensure(count);
                    _length += Encoding.UTF8.GetChars(inner, _buffer.AsSpan(_length));
                    return;
                }
            }

            AppendCounted(value.AsString());
        }

        private void AppendCounted(ReadOnlySpan<char> content)
        {
            AppendCountPrefix(content.Length);
            Ensure(content.Length);
            content.CopyTo(_buffer.AsSpan(_length));
            _length += content.Length;
        }

        private void AppendCountPrefix(int count)
        {
            Ensure(12);
            count.TryFormat(_buffer.AsSpan(_length), out var written, default, CultureInfo.InvariantCulture);
            _length += written;
            Add(':');
        }

        private void Add(char c)
        {
            Ensure(1);
            _buffer[_length++] = c;
        }

        private void Ensure(int more)
        {
            if (_length + more > _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + more));
            }
        }
    }
}
