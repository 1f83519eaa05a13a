namespace IotLabKit.PowerShell.Tests;

/// <summary>
/// Tests that connect the module's session (one hub connection per process, like a PowerShell session's) run one
/// at a time: xunit would otherwise run their classes in parallel and each would replace the other's connection.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SessionCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Module session";
}
