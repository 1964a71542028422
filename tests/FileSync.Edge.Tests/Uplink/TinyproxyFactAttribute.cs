namespace FileSync.Edge.Tests.Uplink;

/// <summary>A fact that needs a real tinyproxy (a CONNECT proxy); skipped with the reason when it is not installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TinyproxyFactAttribute : FactAttribute
{
    public TinyproxyFactAttribute()
    {
        if (TinyproxyInstance.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A theory that needs a real tinyproxy; skipped with the reason when it is not installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TinyproxyTheoryAttribute : TheoryAttribute
{
    public TinyproxyTheoryAttribute()
    {
        if (TinyproxyInstance.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }
}
