using System.Text;

namespace FileSync.Protocol.Tree;

/// <summary>Orders names by their UTF-8 bytes (what every implementation can reproduce; not UTF-16 order).</summary>
internal static class Utf8Order
{
    public static int Compare(string a, string b)
    {
        if (Ascii.IsValid(a) && Ascii.IsValid(b))
        {
            return string.CompareOrdinal(a, b);
        }
        return Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b));
    }
}
