package main

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/flarego/flarego/r2"
	"github.com/flarego/flarego/worker"
)

// maxUpload bounds an uploaded file. Larger files belong in a multipart upload.
const maxUpload = 10 << 20

// ThumbnailJob asks the queue consumer to make the thumbnail of one uploaded file.
type ThumbnailJob struct {
	Key string `json:"key"`
}

// FileInfo is an uploaded file as the API lists it.
type FileInfo struct {
	Name        string `json:"name"`
	Size        int64  `json:"size"`
	ContentType string `json:"contentType"`
	Thumbnail   string `json:"thumbnail"` // "pending", or the thumbnail's content type
}

// Each user's files live under their own prefix; thumbnails mirror the same names.
func fileKey(userID int64, name string) string  { return fmt.Sprintf("files/%d/%s", userID, name) }
func thumbKey(userID int64, name string) string { return fmt.Sprintf("thumbs/%d/%s", userID, name) }

func validName(name string) bool {
	return name != "" && len(name) <= 200 && !strings.ContainsAny(name, "/\\") && name != "." && name != ".."
}

// uploadFile stores the body in R2, then queues the thumbnail: the upload answers at once
// and the slow work happens in the consumer.
func uploadFile(req *http.Request, env Env, ctx *worker.Context, s Session) (*http.Response, error) {
	name := req.PathValue("name")
	if !validName(name) {
		return fail(http.StatusBadRequest, "invalid file name")
	}
	if req.ContentLength > maxUpload {
		return fail(http.StatusRequestEntityTooLarge, "files are limited to 10 MiB")
	}
	ct := req.Header.Get("Content-Type")
	if ct == "" {
		ct = "application/octet-stream"
	}
	key := fileKey(s.UserID, name)
	obj, err := env.Files.Put(ctx, key, http.MaxBytesReader(nil, req.Body, maxUpload), &r2.PutOptions{
		HTTPMetadata:   &r2.HTTPMetadata{ContentType: ct},
		CustomMetadata: map[string]string{"owner": s.Email},
	})
	if tooLarge := new(http.MaxBytesError); errors.As(err, &tooLarge) {
		return fail(http.StatusRequestEntityTooLarge, "files are limited to 10 MiB")
	}
	if err != nil {
		return nil, err
	}
	// A new upload makes any old thumbnail stale.
	if err := env.Files.Delete(ctx, thumbKey(s.UserID, name)); err != nil {
		return nil, err
	}
	if err := env.Thumbnails.Send(ctx, ThumbnailJob{Key: key}); err != nil {
		return nil, err
	}
	return worker.JSON(http.StatusCreated, FileInfo{Name: name, Size: obj.Size, ContentType: ct, Thumbnail: "pending"})
}

// listFiles lists the user's files and whether each thumbnail is ready.
func listFiles(req *http.Request, env Env, ctx *worker.Context, s Session) (*http.Response, error) {
	thumbs := map[string]string{}
	for o, err := range env.Files.Objects(ctx, &r2.ListOptions{Prefix: thumbKey(s.UserID, ""), Include: []string{"httpMetadata"}}) {
		if err != nil {
			return nil, err
		}
		thumbs[strings.TrimPrefix(o.Key, thumbKey(s.UserID, ""))] = o.HTTPMetadata.ContentType
	}
	files := []FileInfo{}
	for o, err := range env.Files.Objects(ctx, &r2.ListOptions{Prefix: fileKey(s.UserID, ""), Include: []string{"httpMetadata"}}) {
		if err != nil {
			return nil, err
		}
		name := strings.TrimPrefix(o.Key, fileKey(s.UserID, ""))
		thumb := thumbs[name]
		if thumb == "" {
			thumb = "pending"
		}
		files = append(files, FileInfo{Name: name, Size: o.Size, ContentType: o.HTTPMetadata.ContentType, Thumbnail: thumb})
	}
	return worker.JSON(http.StatusOK, files)
}

func getFile(req *http.Request, env Env, ctx *worker.Context, s Session) (*http.Response, error) {
	return serveObject(req, env, ctx, fileKey(s.UserID, req.PathValue("name")), "no such file")
}

func getThumbnail(req *http.Request, env Env, ctx *worker.Context, s Session) (*http.Response, error) {
	return serveObject(req, env, ctx, thumbKey(s.UserID, req.PathValue("name")), "no thumbnail yet")
}

// serveObject streams an R2 object with its stored headers and ETag. The Range header
// passes through, so large files can be fetched in parts.
func serveObject(req *http.Request, env Env, ctx *worker.Context, key, missing string) (*http.Response, error) {
	obj, err := env.Files.Get(ctx, key, &r2.GetOptions{RangeHeader: req.Header.Get("Range")})
	if errors.Is(err, r2.ErrNotFound) {
		return fail(http.StatusNotFound, missing)
	}
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	if err := obj.WriteHTTPMetadata(h); err != nil {
		obj.Body.Close()
		return nil, err
	}
	h.Set("ETag", obj.HTTPETag)
	status, length := http.StatusOK, obj.Size
	if obj.Range != nil && obj.Range.Length != obj.Size {
		length = obj.Range.Length
		status = http.StatusPartialContent
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", obj.Range.Offset, obj.Range.Offset+obj.Range.Length-1, obj.Size))
	}
	resp := worker.NewResponse(status, h, obj.Body)
	resp.ContentLength = length
	return resp, nil
}
