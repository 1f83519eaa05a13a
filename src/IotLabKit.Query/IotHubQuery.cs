using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using IotLabKit.Query.Evaluation;
using IotLabKit.Query.Expressions;

namespace IotLabKit.Query;

/// <summary>
/// A parsed IoT Hub query (<c>SELECT … FROM … [WHERE …] [GROUP BY …]</c>). Parse once with
/// <see cref="QueryParser.Parse"/>, then <see cref="Execute(IQuerySource)"/> as often as needed. Immutable and
/// safe to execute from several threads at once.
/// </summary>
public sealed class IotHubQuery
{
    private readonly Expression? _where;

    internal IotHubQuery(
        string text,
        QueryCollection collection,
        int? top,
        bool selectsAll,
        IReadOnlyList<SelectItem> select,
        Expression? where,
        IReadOnlyList<Expression> groupBy,
        bool hasAggregates)
    {
        Text = text;
        Collection = collection;
        Top = top;
        SelectsAll = selectsAll;
        Select = select;
        _where = where;
        GroupBy = groupBy;
        HasAggregates = hasAggregates;
    }

    /// <summary>The query text as given.</summary>
    public string Text { get; }

    /// <summary>The collection named after FROM.</summary>
    public QueryCollection Collection { get; }

    /// <summary>The <c>TOP n</c> limit on result rows, or null when there is none.</summary>
    public int? Top { get; }

    /// <summary>True for <c>SELECT *</c>: the results are the whole documents.</summary>
    public bool SelectsAll { get; }

    /// <summary>True when the query has a WHERE clause.</summary>
    public bool HasCondition => _where is not null;

    /// <summary>True when the query aggregates (COUNT, SUM, AVG, MIN, MAX) or groups (GROUP BY).</summary>
    public bool IsAggregate => HasAggregates || GroupBy.Count > 0;

    /// <summary>
    /// The <c>x-ms-item-type</c> of the results, known from the text alone: <see cref="QueryItemType.Twin"/> for
    /// <c>SELECT *</c> from devices or devices.modules, <see cref="QueryItemType.DeviceJob"/> for devices.jobs,
    /// <see cref="QueryItemType.Raw"/> for projections and aggregates.
    /// </summary>
    public QueryItemType ItemType => !SelectsAll
        ? QueryItemType.Raw
        : Collection == QueryCollection.DevicesJobs ? QueryItemType.DeviceJob : QueryItemType.Twin;

    internal IReadOnlyList<SelectItem> Select { get; }

    internal IReadOnlyList<Expression> GroupBy { get; }

    internal bool HasAggregates { get; }

    /// <summary>
    /// Runs the query over the source's documents of <see cref="Collection"/> and materialises every result row
    /// (TOP applied). Never throws for any document content.
    /// </summary>
    /// <param name="source">Supplies the documents.</param>
    public QueryResult Execute(IQuerySource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Execute(source.GetDocuments(Collection));
    }

    /// <summary>
    /// Runs the query over compact documents (<see cref="CompactJson"/>) the caller has already taken from
    /// <see cref="Collection"/>. <c>SELECT *</c> rows are nodes over the documents' own text (nothing copied).
    /// </summary>
    /// <param name="documents">Twins, module twins or device-job documents.</param>
    public QueryResult Execute(IEnumerable<JsonElement> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        return new QueryResult(ItemType, QueryExecutor.Run(this, documents, static d => d, QueryExecutor.WholeRow));
    }

    /// <summary>
    /// Runs the query over node documents. Each is read once into a compact copy to evaluate; <c>SELECT *</c>
    /// rows are the very <see cref="JsonObject"/>s given (not copies). For many documents, keep them compact
    /// and use <see cref="Execute(IEnumerable{JsonElement})"/>.
    /// </summary>
    /// <param name="documents">Twins, module twins or device-job documents.</param>
    public QueryResult Execute(IEnumerable<JsonObject> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        return new QueryResult(ItemType, QueryExecutor.Run(this, documents, static d => CompactJson.FromNode(d), static d => d));
    }

    /// <summary>
    /// The result row one document gives a query without aggregates or GROUP BY: a node over the document for
    /// <c>SELECT *</c> (its own text, not a copy), else a new projection; false when the document does not satisfy
    /// WHERE. Lets a caller that pages through a large collection build only the rows it sends. <see cref="Top"/>
    /// is the caller's to apply. Never throws for any document content.
    /// </summary>
    /// <param name="document">A compact document of <see cref="Collection"/>.</param>
    /// <param name="row">The row, when the document matches.</param>
    /// <exception cref="InvalidOperationException">The query aggregates or groups (<see cref="IsAggregate"/>): its rows come from many documents, so use <see cref="Execute(IEnumerable{JsonElement})"/>.</exception>
    public bool TryGetRow(JsonElement document, [NotNullWhen(true)] out JsonNode? row)
    {
        if (IsAggregate)
        {
            throw new InvalidOperationException("An aggregate or GROUP BY query has no row per document; run it with Execute.");
        }

        if (!Matches(document))
        {
            row = null;
            return false;
        }

        row = SelectsAll ? QueryExecutor.WholeRow(document) : QueryExecutor.Project(Select, document);
        return true;
    }

    /// <summary>
    /// <see cref="TryGetRow(JsonElement, out JsonNode?)"/> for a node document: the row of <c>SELECT *</c> is the
    /// document itself (not a copy).
    /// </summary>
    /// <param name="document">A document of <see cref="Collection"/>.</param>
    /// <param name="row">The row, when the document matches.</param>
    /// <exception cref="InvalidOperationException">The query aggregates or groups (<see cref="IsAggregate"/>).</exception>
    public bool TryGetRow(JsonObject document, [NotNullWhen(true)] out JsonNode? row)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (!TryGetRow(CompactJson.FromNode(document), out row))
        {
            return false;
        }

        if (SelectsAll)
        {
            row = document;
        }

        return true;
    }

    /// <summary>True when the document satisfies the WHERE clause (always, without one). Only Boolean true satisfies it.</summary>
    /// <param name="document">A compact document of <see cref="Collection"/>.</param>
    public bool Matches(JsonElement document) => _where is null || _where.Evaluate(document).IsTrue;

    /// <summary>True when the node document satisfies the WHERE clause (read once into a compact copy to evaluate).</summary>
    /// <param name="document">A document of <see cref="Collection"/>.</param>
    public bool Matches(JsonObject document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return _where is null || _where.Evaluate(CompactJson.FromNode(document)).IsTrue;
    }

    /// <summary>The query text.</summary>
    public override string ToString() => Text;
}
