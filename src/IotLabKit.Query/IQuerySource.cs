using System.Text.Json;

namespace IotLabKit.Query;

/// <summary>
/// Supplies the documents a query runs over. The hub core implements it over its store.
/// </summary>
/// <remarks>
/// Documents are compact, immutable <see cref="JsonElement"/>s (see <see cref="CompactJson"/>): the engine reads
/// them in place, from any number of threads, and <c>SELECT *</c> rows are nodes over the very same text.
/// </remarks>
public interface IQuerySource
{
    /// <summary>Enumerates every document of a collection: twins, module twins, or per-device job results.</summary>
    /// <param name="collection">The collection named in the query's <c>FROM</c> clause.</param>
    IEnumerable<JsonElement> GetDocuments(QueryCollection collection);
}
