namespace IotLabKit.Service.Transport;

/// <summary>One REST call to the hub, as <see cref="IotHubHttpClient"/> sends it.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path below the hub, already URL-encoded, without a leading slash.</param>
internal sealed record IotHubRequest(HttpMethod Method, string Path)
{
    /// <summary>Extra query parameters (encoded, without '?'), or null; api-version is always added.</summary>
    public string? Query { get; init; }

    /// <summary>The JSON body, or null for none.</summary>
    public string? JsonBody { get; init; }

    /// <summary>The entity tag for If-Match (quoted if it is not), or null for none.</summary>
    public string? IfMatch { get; init; }

    /// <summary>Further request headers (paging headers, for instance).</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? Headers { get; init; }

    /// <summary>This call's time limit per try, when it needs another than <see cref="ServiceClientOptions.Timeout"/>.</summary>
    public TimeSpan? Timeout { get; init; }
}

/// <summary>A successful answer: status, body and headers (names compared case-insensitively).</summary>
internal sealed record IotHubResponse(int StatusCode, string Body, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>A header's value, or null when the answer does not have it.</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
