using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IotLabKit.Query;

/// <summary>
/// Immutable documents for the query engine: a <see cref="JsonElement"/> over its own exact-size UTF-8 text (one
/// array for the text, one for its token index, nothing pooled), so it costs a fraction of a <see cref="JsonObject"/>
/// tree, never changes, and any number of threads may read it at once.
/// </summary>
public static class CompactJson
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Keys and values as written (non-ASCII, '+', '<' …): fewer bytes, and the text reads like the input.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    /// <summary>The compact document of a node (JSON null for a null node).</summary>
    /// <param name="node">Any JSON node; it is only read.</param>
    public static JsonElement FromNode(JsonNode? node)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            if (node is null) writer.WriteNullValue();
            else node.WriteTo(writer);
        }

        return FromUtf8(buffer.WrittenSpan);
    }

    /// <summary>The compact document of some written JSON.</summary>
    /// <param name="write">Writes exactly one JSON value.</param>
    public static JsonElement Write(Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        return FromUtf8(buffer.WrittenSpan);
    }

    /// <summary>The compact document of one JSON value in UTF-8 text (copied).</summary>
    /// <param name="utf8">The text.</param>
    /// <exception cref="JsonException">The text is not one JSON value.</exception>
    public static JsonElement FromUtf8(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 256 });
        return JsonElement.ParseValue(ref reader);
    }

    /// <summary>Writes a compact document's own text as it is (no re-encoding).</summary>
    /// <param name="writer">Where to.</param>
    /// <param name="document">The document.</param>
    public static void WriteTo(Utf8JsonWriter writer, JsonElement document)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteRawValue(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(document), skipInputValidation: true);
    }
}
