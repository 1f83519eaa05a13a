using System.Text;
using System.Text.Json.Nodes;
using IotLabKit.Query.Expressions;

namespace IotLabKit.Query.Evaluation;

/// <summary>
/// Runs a parsed query over documents: filter, then either project each document, fold aggregates into one row,
/// or fold them per GROUP BY key. TOP limits the number of result rows. Holds no state between runs.
/// </summary>
internal static class QueryExecutor
{
    public static List<JsonNode> Run(IotHubQuery query, IEnumerable<JsonObject> documents)
    {
        var rows = new List<JsonNode>();
        var top = query.Top ?? int.MaxValue;
        if (top == 0)
        {
            return rows;
        }

        if (query.GroupBy.Count > 0)
        {
            RunGrouped(query, documents, rows, top);
        }
        else if (query.HasAggregates)
        {
            var aggregators = NewAggregators(query.Select);
            foreach (var document in documents)
            {
                if (query.Matches(document))
                {
                    Accumulate(query.Select, aggregators, document);
                }
            }

            rows.Add(AggregateRow(query.Select, aggregators, groupValues: null));
        }
        else
        {
            foreach (var document in documents)
            {
                if (!query.Matches(document))
                {
                    continue;
                }

                rows.Add(query.SelectsAll ? document : Project(query.Select, document));
                if (rows.Count >= top)
                {
                    break;
                }
            }
        }

        return rows;
    }

    private static void RunGrouped(IotHubQuery query, IEnumerable<JsonObject> documents, List<JsonNode> rows, int top)
    {
        var groups = new Dictionary<string, Group>(StringComparer.Ordinal);
        var order = new List<Group>();
        var keyText = new StringBuilder();
        var values = new Value[query.GroupBy.Count];
        foreach (var document in documents)
        {
            if (!query.Matches(document))
            {
                continue;
            }

            keyText.Clear();
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = query.GroupBy[i].Evaluate(document);
                AppendGroupKey(keyText, values[i]);
            }

            var key = keyText.ToString();
            if (!groups.TryGetValue(key, out var group))
            {
                group = new Group([.. values], NewAggregators(query.Select));
                groups.Add(key, group);
                order.Add(group);
            }

            Accumulate(query.Select, group.Aggregators, document);
        }

        foreach (var group in order.Take(top))
        {
            rows.Add(AggregateRow(query.Select, group.Aggregators, group.KeyValues));
        }
    }

    /// <summary>
    /// Encodes a grouping value so that equal values (1 and 1.0 included) give equal text and different types never
    /// collide: a type letter, then the content length-prefixed so no content can forge a separator.
    /// </summary>
    private static void AppendGroupKey(StringBuilder key, in Value value)
    {
        var content = value.Kind switch
        {
            ValueKind.Undefined or ValueKind.Null => string.Empty,
            ValueKind.String => value.AsString(),
            _ => value.ToString(), // number (round-trip text), true/false, or an object's or array's JSON
        };
        key.Append((char)('a' + (int)value.Kind)).Append(content.Length).Append(':').Append(content);
    }

    private static Aggregator?[] NewAggregators(IReadOnlyList<SelectItem> select)
        => select.Select(item => item.Aggregate is { } a ? new Aggregator(a.Kind) : null).ToArray();

    private static void Accumulate(IReadOnlyList<SelectItem> select, Aggregator?[] aggregators, JsonObject document)
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

    internal static JsonObject Project(IReadOnlyList<SelectItem> select, JsonObject document)
    {
        var row = new JsonObject();
        foreach (var item in select)
        {
            if (item.Expression is PathExpression path)
            {
                // A path keeps the document's own JSON (exact numbers, nested objects) rather than a re-encoded value.
                if (path.TryResolve(document, out var node))
                {
                    row.Add(item.OutputName, node?.DeepClone());
                }
            }
            else
            {
                Put(row, item.OutputName, item.Expression.Evaluate(document));
            }
        }

        return row;
    }

    private static void Put(JsonObject row, string name, in Value value)
    {
        if (!value.IsUndefined)
        {
            row.Add(name, value.ToNode());
        }
    }

    private sealed record Group(Value[] KeyValues, Aggregator?[] Aggregators);
}
