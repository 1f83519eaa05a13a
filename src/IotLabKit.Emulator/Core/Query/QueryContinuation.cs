using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace IotLabKit.Emulator.Core.Query;

/// <summary>
/// Where the next page of a query starts: the <c>x-ms-continuation</c> token, opaque to clients.
/// Stateless for row queries (the key of the last document sent, so the next page re-runs the query over the
/// documents after it); aggregate queries name a cached result and an offset into it.
/// </summary>
/// <remarks>
/// The token is base64url of a small JSON object carrying a fingerprint of the query text, so a token handed
/// to another query is refused instead of silently paging something else. Any token that does not decode to
/// exactly this shape is refused with <c>ArgumentInvalid</c>, never a server error.
/// </remarks>
public sealed record QueryContinuation
{
    private const int Version = 1;

    /// <summary>The fingerprint of the query text the token belongs to.</summary>
    public required string QueryFingerprint { get; init; }

    /// <summary>Row queries: the key of the last document whose row was sent.</summary>
    public string? AfterKey { get; init; }

    /// <summary>Rows sent so far (TOP counts them).</summary>
    public long RowsSent { get; init; }

    /// <summary>Aggregate queries: the cached result the pages come from.</summary>
    public string? CursorId { get; init; }

    /// <summary>The fingerprint of a query text: 16 hex digits of its SHA-256.</summary>
    public static string Fingerprint(string queryText)
        => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(queryText)).AsSpan(0, 8));

    /// <summary>The token text.</summary>
    public string Encode()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("v", Version);
            json.WriteString("q", QueryFingerprint);
            if (AfterKey is not null) json.WriteString("k", AfterKey);
            if (CursorId is not null) json.WriteString("c", CursorId);
            json.WriteNumber("n", RowsSent);
            json.WriteEndObject();
        }
        return Base64Url.EncodeToString(buffer.ToArray());
    }

    /// <summary>Reads a token given for <paramref name="queryText"/>; <c>ArgumentInvalid</c> when it is not one.</summary>
    public static QueryContinuation Decode(string token, string queryText)
    {
        var continuation = TryRead(token)
            ?? throw HubException.Invalid("The continuation token (x-ms-continuation) is not valid: pass back exactly the value a previous page of this query returned, or none for the first page.");
        if (continuation.QueryFingerprint != Fingerprint(queryText))
            throw HubException.Invalid("The continuation token (x-ms-continuation) belongs to a different query: send it with the same query text that returned it.");
        return continuation;
    }

    private static QueryContinuation? TryRead(string token)
    {
        if (token.Length is 0 or > 4096) return null;
        byte[] bytes;
        try { bytes = Base64Url.DecodeFromChars(token); }
        catch (FormatException) { return null; }
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            string? fingerprint = null, key = null, cursor = null;
            long? version = null, rows = null;
            foreach (var member in root.EnumerateObject())
            {
                switch (member.Name)
                {
                    case "v" when member.Value.TryGetInt64(out var v): version = v; break;
                    case "q" when member.Value.ValueKind == JsonValueKind.String: fingerprint = member.Value.GetString(); break;
                    case "k" when member.Value.ValueKind == JsonValueKind.String: key = member.Value.GetString(); break;
                    case "c" when member.Value.ValueKind == JsonValueKind.String: cursor = member.Value.GetString(); break;
                    case "n" when member.Value.TryGetInt64(out var n) && n >= 0: rows = n; break;
                    default: return null;
                }
            }
            if (version != Version || fingerprint is null || rows is null || (key is not null && cursor is not null)) return null;
            return new QueryContinuation { QueryFingerprint = fingerprint, AfterKey = key, CursorId = cursor, RowsSent = rows.Value };
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Malformed JSON, or a string with an unpaired surrogate escape.
            return null;
        }
    }
}
