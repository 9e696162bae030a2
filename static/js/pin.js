// The pin map of a form (templates/_place.html): clicking the map places the pin,
// dragging moves it, and the latitude and longitude fields follow it; typing in the
// fields moves the pin. Progressive enhancement: without JavaScript, Leaflet or tiles
// the two fields are the whole of it.
(function () {
  "use strict";
  if (typeof L === "undefined") return;
  Array.prototype.forEach.call(document.querySelectorAll(".pin-map"), function (container) {
    var latField = document.getElementById(container.dataset.latitudeField);
    var lonField = document.getElementById(container.dataset.longitudeField);
    if (!latField || !lonField) return;
    var section = container.closest(".pin-map-section") || container;
    section.hidden = false;

    var start = [parseFloat(container.dataset.lat), parseFloat(container.dataset.lon)];
    var map = L.map(container, { scrollWheelZoom: false })
      .setView(start, parseInt(container.dataset.zoom, 10) || 12);
    L.tileLayer(container.dataset.tiles, {
      maxZoom: 19,
      attribution: container.dataset.attribution || ""
    }).addTo(map);

    var marker = null;
    function fill(latlng) {
      latField.value = latlng.lat.toFixed(6);
      lonField.value = latlng.lng.toFixed(6);
    }
    function place(latlng) {
      if (marker) {
        marker.setLatLng(latlng);
      } else {
        marker = L.marker(latlng, {
          draggable: true, title: container.dataset.label, alt: container.dataset.label
        }).addTo(map);
        marker.on("dragend", function () { fill(marker.getLatLng()); });
      }
      container.dataset.pinned = "yes";
    }
    function number(field) {
      var value = parseFloat(String(field.value).replace(",", "."));
      return isNaN(value) ? null : value;
    }
    function fromFields() {
      var lat = number(latField), lon = number(lonField);
      if (lat === null || lon === null || Math.abs(lat) > 90 || Math.abs(lon) > 180) return;
      place(L.latLng(lat, lon));
      map.panTo([lat, lon]);
    }

    if (container.dataset.pin === "yes") place(L.latLng(start[0], start[1]));
    map.on("click", function (event) {
      place(event.latlng);
      fill(event.latlng);
    });
    latField.addEventListener("change", fromFields);
    lonField.addEventListener("change", fromFields);

    var clear = section.querySelector(".pin-clear");
    if (clear) {
      clear.addEventListener("click", function () {
        if (marker) map.removeLayer(marker);
        marker = null;
        latField.value = "";
        lonField.value = "";
        container.dataset.pinned = "no";
      });
    }
  });
})();
