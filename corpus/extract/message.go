package extract

import "errors"

// UserMessage explains err to a staff member in short, warm Simplified
// Chinese, suggesting what to do next. It returns a generic message for
// errors that are not from this package.
func UserMessage(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrTooLarge):
		return "这个文件太大了，超出了能处理的上限。请拆成几个小文件，或只保留正文后再发给我。"
	case errors.Is(err, ErrZipBomb):
		return "这个 Word 文件解压后异常巨大，出于安全考虑没有读取。请在 Word 里另存为新的 .docx 再发一次。"
	case errors.Is(err, ErrEncrypted):
		return "这个文件设置了密码或加密，我打不开。请先取消密码保护，再发给我。"
	case errors.Is(err, ErrNoTextLayer):
		return "这个 PDF 没有文字层，可能是扫描件，暂不支持识别图片中的文字。请发送 Word 版或可复制文字的 PDF。"
	case errors.Is(err, ErrBinary):
		return "这个文件看起来不是文本（可能是图片或其他格式改了后缀名），请确认后再发。"
	case errors.Is(err, ErrEmpty):
		return "这个文件里没有找到文字内容，是不是发错文件了？"
	case errors.Is(err, ErrUnknownFormat):
		return "暂时只支持 .txt、.md、.docx、.pdf 和 .html 文件，请转换成其中一种格式再发。"
	case errors.Is(err, ErrParserBusy):
		return "现在同时处理的文件有点多，请稍等一两分钟再发一次。"
	case errors.Is(err, ErrCorrupt):
		return "这个文件好像损坏了或没有传完整，请重新导出后再发一次。"
	}
	return "读取这个文件时出了点问题，请稍后再试，或换一种格式发送。"
}
