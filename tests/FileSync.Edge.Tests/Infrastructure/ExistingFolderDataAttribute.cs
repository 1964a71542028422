using System.Reflection;
using Xunit.Sdk;

namespace FileSync.Edge.Tests.Infrastructure;

/// <summary>
/// One theory row: the path of a folder of the running system (a system folder such as /dev/shm);
/// the row is skipped, naming the folder, where it does not exist (a container may lack one).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ExistingFolderDataAttribute : DataAttribute
{
    private readonly string _path;

    public ExistingFolderDataAttribute(string path)
    {
        _path = path;
        if (!Directory.Exists(path))
        {
            Skip = $"{path} does not exist on this system";
        }
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) =>
        [
            [_path],
        ];
}
