using IotLabKit.Labs.Model;

namespace IotLabKit.Labs.Catalog;

/// <summary>
/// Finds labs: every folder directly under a labs root that holds a lab.json. Roots are searched in order, and the
/// first lab with a given id wins, so a development copy (-LabPath, IOTLABKIT_LABS_PATH) shadows the shipped one.
/// </summary>
public static class LabCatalog
{
    /// <summary>The environment variable naming extra labs roots (separated like PATH).</summary>
    public const string PathVariable = "IOTLABKIT_LABS_PATH";

    /// <summary>The roots to search: <paramref name="explicitRoots"/>, then IOTLABKIT_LABS_PATH, then <paramref name="shippedRoot"/>.</summary>
    public static IReadOnlyList<string> Roots(IEnumerable<string>? explicitRoots, string? shippedRoot)
    {
        var roots = new List<string>();
        if (explicitRoots is not null) roots.AddRange(explicitRoots);
        var fromEnvironment = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
            roots.AddRange(fromEnvironment.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (shippedRoot is not null) roots.Add(shippedRoot);
        return roots.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The lab.json files under the roots (a root may also be one lab's folder), in root order.</summary>
    public static IEnumerable<string> FindDefinitions(IEnumerable<string> roots)
    {
        foreach (var root in roots)
        {
            if (File.Exists(Path.Combine(root, LabLoader.FileName)))
            {
                yield return Path.Combine(root, LabLoader.FileName);
                continue;
            }
            if (!Directory.Exists(root)) continue;
            foreach (var folder in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
            {
                var file = Path.Combine(folder, LabLoader.FileName);
                if (File.Exists(file)) yield return file;
            }
        }
    }

    /// <summary>
    /// Loads every lab under the roots; labs that do not load are reported through <paramref name="broken"/>
    /// instead of hiding the others.
    /// </summary>
    public static IReadOnlyList<Lab> LoadAll(IEnumerable<string> roots, Action<LabDefinitionException>? broken = null)
    {
        var labs = new List<Lab>();
        foreach (var file in FindDefinitions(roots))
        {
            try
            {
                var lab = LabLoader.Load(file);
                if (labs.All(l => l.Id != lab.Id)) labs.Add(lab);
            }
            catch (LabDefinitionException ex)
            {
                broken?.Invoke(ex);
            }
        }
        return labs.OrderBy(l => l.Id).ToList();
    }
}
