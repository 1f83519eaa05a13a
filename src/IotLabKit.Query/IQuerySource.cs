using System.Text.Json.Nodes;

namespace IotLabKit.Query;

/// <summary>
/// Supplies the documents a query runs over. The hub core implements it over its store.
/// </summary>
/// <remarks>
/// The engine only reads the documents; it never changes them. <c>SELECT *</c> results hand back the very
/// instances the source yielded, so a source that hands out its live store objects should copy them first
/// if callers may change the results.
/// </remarks>
public interface IQuerySource
{
    /// <summary>Enumerates every document of a collection: twins, module twins, or per-device job results.</summary>
    /// <param name="collection">The collection named in the query's <c>FROM</c> clause.</param>
    IEnumerable<JsonObject> GetDocuments(QueryCollection collection);
}
