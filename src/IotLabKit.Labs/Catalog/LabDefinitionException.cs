namespace IotLabKit.Labs.Catalog;

/// <summary>A lab.json that cannot be used: every problem found, each naming where it is and what to do.</summary>
public sealed class LabDefinitionException : Exception
{
    /// <summary>Creates the exception for <paramref name="path"/> with its problems.</summary>
    public LabDefinitionException(string path, IReadOnlyList<string> problems)
        : base($"The lab definition '{path}' is not valid:{Environment.NewLine}" + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)))
    {
        Path = path;
        Problems = problems;
    }

    /// <summary>The lab.json file.</summary>
    public string Path { get; }

    /// <summary>Each problem: "where: what".</summary>
    public IReadOnlyList<string> Problems { get; }
}
